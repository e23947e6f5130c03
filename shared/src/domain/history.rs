//! A customer's earlier chats: found by who the customer is, the website's verified user id when
//! it vouched for one, else the e-mail address they gave.

use super::chat::Customer;

/// Most earlier chats the history shows (newest first).
pub const MAX_HISTORY: usize = 50;

/// Which customer a chat belongs to, as its other chats are found by: `user:{id}` for a verified
/// user, else `email:{address}` (trimmed, lower-cased); `None` when the customer gave neither.
pub fn customer_key(customer: &Customer) -> Option<String> {
    if let Some(id) = &customer.verified_user_id {
        return Some(format!("user:{id}"));
    }
    customer
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| format!("email:{}", e.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(email: Option<&str>, user: Option<&str>) -> Customer {
        Customer {
            name: "Ann".into(),
            email: email.map(Into::into),
            verified_user_id: user.map(Into::into),
        }
    }

    #[test]
    fn a_verified_user_is_known_by_id_else_by_lower_cased_address() {
        assert_eq!(
            customer_key(&customer(Some("Ann@Example.com"), Some("u-7"))),
            Some("user:u-7".into())
        );
        assert_eq!(
            customer_key(&customer(Some(" Ann@Example.COM "), None)),
            Some("email:ann@example.com".into())
        );
        assert_eq!(customer_key(&customer(None, None)), None);
        assert_eq!(customer_key(&customer(Some("  "), None)), None);
    }
}
