//! One function per operation: read the request, call the use case, shape the response.

use http::StatusCode;

use super::dto::*;
use super::error::{json_response, ApiError};
use super::extract::RequestCtx;
use super::routes::Operation;
use super::Response;
use crate::app::{App, BulkAction, ListCursor};
use crate::domain::{limits, ChatView, Column, DomainError, GroupId, SortDirection, SortSpec};

type Handled = Result<Response, ApiError>;

fn ok(body: &impl serde::Serialize) -> Handled {
    Ok(json_response(StatusCode::OK, body))
}

pub async fn handle(app: &App, op: Operation, ctx: &RequestCtx) -> Handled {
    match op {
        Operation::Health => ok(&Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
        Operation::OpenApi => ok(&super::openapi::document()),
        Operation::SignIn => {
            let req: SignInRequest = ctx.json()?;
            ok(&app
                .sign_in(&req.username, &req.password, ctx.client_addr)
                .await?)
        }
        Operation::AuthConfig => ok(&AuthConfig {
            password_sign_in: true,
            oidc: app.oidc.as_ref().and_then(|o| o.browser_sign_in().cloned()),
        }),
        Operation::GetMe => ok(&app.me(ctx.principal()?).await?),
        Operation::UpdateMe => {
            let req: UpdateMeRequest = ctx.json()?;
            ok(&app.set_available(ctx.principal()?, req.available).await?)
        }
        Operation::ListGroups => ok(&app.groups().await?),
        Operation::ListAgents => ok(&app.agents(ctx.principal()?).await?),
        Operation::GetPreferences => ok(&app.preferences(ctx.principal()?).await?),
        Operation::PutPreferences => {
            let prefs = ctx.json()?;
            ok(&app.save_preferences(ctx.principal()?, prefs).await?)
        }
        Operation::StartChat => {
            let req = ctx.json()?;
            Ok(json_response(
                StatusCode::CREATED,
                &app.start_chat(req).await?,
            ))
        }
        Operation::ListChats => {
            let q: ListQuery = ctx.query()?;
            let (view, sort) = parse_list_query(&q)?;
            let cursor = q.cursor.as_deref().map(ListCursor::parse).transpose()?;
            ok(&app.list_chats(ctx.principal()?, view, sort, cursor).await?)
        }
        Operation::GetChat => {
            let id = ctx.chat_id()?;
            ok(&app.chat_for(ctx.principal()?, &id).await?)
        }
        Operation::ListEvents => {
            let q: EventsQuery = ctx.query()?;
            let after = limits::sequence_number("after", q.after.unwrap_or(0))?;
            let limit = limits::events_per_read(q.limit)?;
            let id = ctx.chat_id()?;
            let events = app.events(ctx.principal()?, &id, after, limit).await?;
            ok(&events)
        }
        Operation::SendMessage => {
            let req: SendMessageRequest = ctx.json()?;
            let id = ctx.chat_id()?;
            let (event, duplicate) = app
                .send_message(ctx.principal()?, &id, req.client_msg_id, &req.body)
                .await?;
            let status = if duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok(json_response(status, &SentMessage { event, duplicate }))
        }
        Operation::CustomerEndChat => {
            let id = ctx.chat_id()?;
            ok(&app.customer_end_chat(ctx.principal()?, &id).await?)
        }
        Operation::Pull => {
            let req: PullRequest = if ctx.body.is_empty() {
                PullRequest { chat_ids: vec![] }
            } else {
                ctx.json()?
            };
            let principal = ctx.principal()?;
            if req.chat_ids.is_empty() {
                let row = app.pull_next(principal).await?;
                ok(&crate::app::ActionOutcome {
                    results: vec![crate::app::ActionResult {
                        chat_id: row.id.clone(),
                        ok: true,
                        chat: Some(row),
                        failure: None,
                    }],
                    succeeded: 1,
                    failed: 0,
                })
            } else {
                ok(&app.bulk(principal, BulkAction::Pull, req.chat_ids).await?)
            }
        }
        Operation::Take => bulk_ids(app, ctx, BulkAction::Take).await,
        Operation::Transfer => {
            let req: TransferRequest = ctx.json()?;
            ok(&app
                .bulk(ctx.principal()?, BulkAction::Transfer(req.to), req.chat_ids)
                .await?)
        }
        Operation::EndChats => {
            let req: EndRequest = ctx.json()?;
            ok(&app
                .bulk(
                    ctx.principal()?,
                    BulkAction::End {
                        resolution: req.resolution,
                    },
                    req.chat_ids,
                )
                .await?)
        }
        Operation::Delete => bulk_ids(app, ctx, BulkAction::Delete).await,
        Operation::Restore => bulk_ids(app, ctx, BulkAction::Restore).await,
        Operation::Purge => bulk_ids(app, ctx, BulkAction::Purge).await,
        Operation::FollowUp => {
            let req: FollowUpRequest = ctx.json()?;
            let action = match req.follow_up {
                Some(f) => BulkAction::SetFollowUp {
                    due_at: f.due_at,
                    note: f.note,
                },
                None => BulkAction::ClearFollowUp,
            };
            ok(&app.bulk(ctx.principal()?, action, req.chat_ids).await?)
        }
        Operation::ListArticles
        | Operation::CreateArticle
        | Operation::GetArticle
        | Operation::UpdateArticle
        | Operation::DeleteArticle
        | Operation::KnowledgeStats
        | Operation::Suggest
        | Operation::SuggestionFeedback
        | Operation::ChatSuggestions => knowledge(app, op, ctx).await,
    }
}

async fn knowledge(app: &App, op: Operation, ctx: &RequestCtx) -> Handled {
    let kb = &app.knowledge;
    match op {
        Operation::ListArticles => ok(&kb.list_articles(app, ctx.principal()?).await?),
        Operation::CreateArticle => {
            let input = ctx.json()?;
            let article = kb.create_article(app, ctx.principal()?, input).await?;
            Ok(json_response(StatusCode::CREATED, &article))
        }
        Operation::GetArticle => {
            let id = ctx.article_id()?;
            ok(&kb.read_article(app, ctx.optional_principal(), &id).await?)
        }
        Operation::UpdateArticle => {
            let input = ctx.json()?;
            let id = ctx.article_id()?;
            ok(&kb.update_article(app, ctx.principal()?, &id, input).await?)
        }
        Operation::DeleteArticle => {
            let id = ctx.article_id()?;
            kb.delete_article(app, ctx.principal()?, &id).await?;
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({"deleted": id}),
            ))
        }
        Operation::KnowledgeStats => ok(&kb.deflection_report(app, ctx.principal()?).await?),
        Operation::Suggest => {
            let q: SuggestQuery = ctx.query()?;
            let group = q.group_id.as_deref().map(GroupId::parse).transpose()?;
            ok(&kb.suggest_for_question(app, &q.q, group).await?)
        }
        Operation::SuggestionFeedback => {
            let feedback = ctx.json()?;
            ok(&FeedbackRecorded {
                recorded: kb.feedback(app, feedback).await?,
            })
        }
        Operation::ChatSuggestions => {
            let id = ctx.chat_id()?;
            ok(&kb.suggest_for_chat(app, ctx.principal()?, &id).await?)
        }
        _ => Err(ApiError::App(crate::app::AppError::NotFound(
            "no such knowledge-base operation".into(),
        ))),
    }
}

async fn bulk_ids(app: &App, ctx: &RequestCtx, action: BulkAction) -> Handled {
    let req: ChatIdsRequest = ctx.json()?;
    ok(&app.bulk(ctx.principal()?, action, req.chat_ids).await?)
}

fn parse_list_query(q: &ListQuery) -> Result<(ChatView, Option<SortSpec>), ApiError> {
    let view = match q.view.as_str() {
        "my_active" => ChatView::MyActive,
        "my_completed" => ChatView::MyCompleted,
        "queue" => ChatView::Queue,
        "global" => ChatView::Global,
        "deleted" => ChatView::Deleted,
        "group" => {
            let raw = q.group_id.as_deref().ok_or_else(|| {
                DomainError::invalid("group_id", "is required with view=group")
            })?;
            ChatView::Group {
                group_id: GroupId::parse(raw)?,
                inactive: q.inactive.unwrap_or(false),
            }
        }
        other => {
            return Err(DomainError::invalid(
                "view",
                format!(
                    "unknown view {other:?}; use my_active, my_completed, group, queue, global or deleted"
                ),
            )
            .into())
        }
    };
    let sort = match (&q.sort, &q.dir) {
        (None, None) => None,
        (column, dir) => {
            let column = match column {
                Some(c) => Column::parse(c).ok_or_else(|| {
                    DomainError::invalid(
                        "sort",
                        format!("unknown column {c:?}; use status, user, group, started, queue_time, idle, messages or agent"),
                    )
                })?,
                None => SortSpec::default().column,
            };
            let direction = match dir {
                Some(d) => SortDirection::parse(d)
                    .ok_or_else(|| DomainError::invalid("dir", "use asc or desc"))?,
                None => SortDirection::Asc,
            };
            Some(SortSpec { column, direction })
        }
    };
    Ok((view, sort))
}
