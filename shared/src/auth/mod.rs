//! Who is calling. Agents carry a signed token naming their agent id (their role and groups are
//! always read from the store, never from the token); customers carry a token for one chat.

pub mod identity;
mod jwt_crypto;
pub mod oidc;
pub mod password;
pub mod tokens;

pub use tokens::{AuthError, Principal, TokenService};
