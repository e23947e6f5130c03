use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_apigatewaymanagement::Client;
use bytes::Bytes;

use crate::ports::{ConnectionId, ConnectionPoster, PostError};

/// PostToConnection through API Gateway's management API (or the local gateway's `@connections`
/// endpoint, given as an endpoint override).
#[derive(Clone)]
pub struct ApiGatewayPoster {
    client: Client,
}

impl ApiGatewayPoster {
    pub fn new(client: Client) -> Self {
        ApiGatewayPoster { client }
    }

    /// A client for `endpoint` (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` in
    /// AWS, the local server's address locally).
    pub async fn for_endpoint(endpoint: &str) -> Self {
        Self::with_config(&crate::aws::sdk_config(&[endpoint]).await, endpoint)
    }

    /// As `for_endpoint`, on an SDK configuration the caller already loaded.
    pub fn with_config(shared: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(shared)
            .endpoint_url(endpoint)
            .build();
        ApiGatewayPoster::new(Client::from_conf(config))
    }
}

#[async_trait]
impl ConnectionPoster for ApiGatewayPoster {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError> {
        let result = self
            .client
            .post_to_connection()
            .connection_id(connection.as_str())
            .data(Blob::new(frame.to_vec()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                if e.as_service_error().is_some_and(|s| s.is_gone_exception()) {
                    Err(PostError::Gone)
                } else {
                    Err(PostError::Failed(Box::new(e)))
                }
            }
        }
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PostError> {
        let result = self
            .client
            .delete_connection()
            .connection_id(connection.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => {
                Err(PostError::Gone)
            }
            Err(e) => Err(PostError::Failed(Box::new(e))),
        }
    }
}
