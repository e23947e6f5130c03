//! Ids and instants as they travel: an id is a string, checked when it is read (a malformed id
//! is refused with the body, before any use case runs); an instant is epoch milliseconds.

use serde::{Deserialize, Serialize};

use crate::domain::ids::MAX_ID_LEN;
use crate::domain::{self, DomainError};

macro_rules! wire_id {
    ($name:ident) => {
        #[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(pub domain::$name);

        // Written as the string it holds, in place (`into = "String"` copied it first).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                domain::$name::parse(&s).map($name)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into()
            }
        }

        impl From<&domain::$name> for $name {
            fn from(id: &domain::$name) -> Self {
                $name(id.clone())
            }
        }

        impl From<$name> for domain::$name {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_ID_LEN))
                    .pattern(Some("^[A-Za-z0-9_-]+$"))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

wire_id!(ChatId);
wire_id!(AgentId);
wire_id!(GroupId);
wire_id!(ArticleId);
wire_id!(ClientMessageId);
wire_id!(AttachmentId);
wire_id!(OfflineMessageId);
wire_id!(CannedReplyId);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl From<domain::Timestamp> for Timestamp {
    fn from(t: domain::Timestamp) -> Self {
        Timestamp(t.millis())
    }
}

impl From<Timestamp> for domain::Timestamp {
    fn from(t: Timestamp) -> Self {
        domain::Timestamp(t.0)
    }
}

/// The domain form of each id in a list read from a request.
pub fn domain_ids<W, D: From<W>>(ids: Vec<W>) -> Vec<D> {
    ids.into_iter().map(D::from).collect()
}
