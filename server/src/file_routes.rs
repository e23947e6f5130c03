//! The two URLs the local server signs for attachments (`chatdesk::files::local`): the upload
//! target of a started upload (`PUT /api/uploads/{token}`, the file as the body, 10 MB at most)
//! and a download link (`GET /api/files/{token}`). The token is the authorization: it names one
//! file, what may be done with it, and until when.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use http::StatusCode;

use chatdesk::api::error::{json_response, status_of, ErrorBody};
use chatdesk::domain::attachment::MAX_ATTACHMENT_BYTES;
use chatdesk::errors::ErrorCode;
use chatdesk::files::local::{LocalFileError, LocalFiles};
use chatdesk::ports::Clock;

#[derive(Clone)]
struct FileState {
    files: Arc<LocalFiles>,
    clock: Arc<dyn Clock>,
}

pub fn routes(files: Arc<LocalFiles>, clock: Arc<dyn Clock>) -> Router {
    Router::new()
        .route("/api/uploads/{token}", put(upload))
        .route("/api/files/{token}", get(download))
        .with_state(FileState { files, clock })
}

async fn upload(State(state): State<FileState>, Path(token): Path<String>, body: Body) -> Response {
    // One byte over the limit is enough to know it is over.
    let limit = usize::try_from(MAX_ATTACHMENT_BYTES + 1).unwrap_or(usize::MAX);
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return refused(&LocalFileError::TooLarge),
    };
    match state
        .files
        .accept_upload(&token, &bytes, state.clock.now())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(&e),
    }
}

async fn download(State(state): State<FileState>, Path(token): Path<String>) -> Response {
    match state.files.open_download(&token, state.clock.now()).await {
        Ok(file) => {
            let mut resp = Response::new(Body::from(file.bytes));
            for (name, value) in file.headers {
                if let Ok(v) = http::HeaderValue::from_str(&value) {
                    resp.headers_mut().insert(name, v);
                }
            }
            resp
        }
        Err(e) => refused(&e),
    }
}

fn refused(e: &LocalFileError) -> Response {
    let code = match e {
        LocalFileError::BadToken | LocalFileError::Expired => ErrorCode::Forbidden,
        LocalFileError::WrongSize { .. } => ErrorCode::InvalidInput,
        LocalFileError::TooLarge => ErrorCode::TooLarge,
        LocalFileError::AlreadyKept => ErrorCode::Conflict,
        LocalFileError::Gone => ErrorCode::NotFound,
        LocalFileError::Io(_) => ErrorCode::Internal,
    };
    let message = if code == ErrorCode::Internal {
        tracing::error!(error = %chatdesk::errors::error_chain(e), "attachment file failed");
        "something went wrong on our side; it has been logged".to_owned()
    } else {
        e.to_string()
    };
    let (parts, body) = json_response(
        status_of(code),
        &ErrorBody {
            error: code,
            message,
        },
    )
    .into_parts();
    http::Response::from_parts(parts, Body::from(body)).into_response()
}
