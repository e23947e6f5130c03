//! The store contract, run on every adapter: the embedded SQLite store and the DynamoDB store
//! (against the endpoint `chatdesk_tests::dynamo_endpoint` provides: moto here, LocalStack where
//! Docker runs, or any endpoint given in CHATDESK_TEST_DYNAMODB_ENDPOINT).

use chatdesk_server::Stores;
use chatdesk_tests::{
    audit, business_hours, canned, contract, distribution, hand_offs, history, inbox, notes,
    outbox, purge_race, sign_in, tags,
};

async fn sqlite() -> Stores {
    Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().expect("in-memory SQLite"))
}

macro_rules! contract_suite {
    ($adapter:ident, $make:expr) => {
        mod $adapter {
            use super::*;

            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        contract::$name($make.await).await
                    }
                };
            }

            /// Automatic distribution through the use cases, on this adapter's conditional writes.
            macro_rules! distribution_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        distribution::$name($make.await).await
                    }
                };
            }

            /// Password guessing through the sign-in use case, on this adapter's counters.
            macro_rules! sign_in_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        sign_in::$name($make.await).await
                    }
                };
            }

            /// Purge through the use cases: racing a restore, and what it pushes.
            macro_rules! purge_race_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        purge_race::$name($make.await).await
                    }
                };
            }

            /// Hand-off timers through the sweep, with a clock the test moves.
            macro_rules! hand_off_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        hand_offs::$name($make.await).await
                    }
                };
            }

            /// Business hours and offline behaviour through the use cases, with a clock the test
            /// moves.
            macro_rules! business_hours_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        business_hours::$name($make.await).await
                    }
                };
            }

            /// The audit log and the administration's use cases.
            macro_rules! audit_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        audit::$name($make.await).await
                    }
                };
            }

            audit_case!(audit_entries_are_added_once_and_read_newest_first);
            audit_case!(administrators_actions_are_logged_and_deactivation_ends_access_at_once);
            audit_case!(an_agent_with_chats_on_record_is_deactivated_not_deleted);
            audit_case!(a_deleted_group_is_gone_with_its_turn);
            audit_case!(organisation_settings_are_written_over_the_revision_read);
            audit_case!(removing_a_group_moves_its_chats_and_logs_it);

            /// Offline messages and the inbox's use cases.
            macro_rules! inbox_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        inbox::$name($make.await).await
                    }
                };
            }

            /// The e-mail outbox: enqueue, leases, outcomes, listing.
            macro_rules! outbox_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        outbox::$name($make.await).await
                    }
                };
            }

            /// Internal notes on chats: the store and its use cases.
            macro_rules! notes_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        notes::$name($make.await).await
                    }
                };
            }

            /// Canned replies: unique shortcuts per scope, revisions, listing, counted uses.
            macro_rules! canned_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        canned::$name($make.await).await
                    }
                };
            }

            notes_case!(notes_are_numbered_once_and_read_back_in_order);
            notes_case!(a_purge_removes_the_chats_notes);
            notes_case!(colleagues_writing_at_once_all_get_their_note_in);
            notes_case!(only_agents_who_may_see_the_chat_read_and_write_notes);

            /// Tags on chats through the use cases.
            macro_rules! tags_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        tags::$name($make.await).await
                    }
                };
            }

            tags_case!(tags_are_kept_on_the_chat_and_hidden_from_its_customer);
            tags_case!(only_agents_who_may_see_the_chat_tag_it_and_bad_tags_are_named);
            tags_case!(two_agents_tagging_at_once_both_get_their_change_in);
            tags_case!(a_tag_narrows_a_list_across_its_pages);

            /// The customer history through its use case.
            macro_rules! history_case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        history::$name($make.await).await
                    }
                };
            }

            history_case!(a_customers_chats_are_found_by_user_id_else_by_address_newest_first);
            history_case!(the_history_holds_only_chats_the_agent_may_see);
            history_case!(a_purged_chat_leaves_the_history);
            canned_case!(replies_are_created_once_and_read_back);
            canned_case!(a_shortcut_is_unique_within_its_scope_only);
            canned_case!(two_creations_racing_for_one_shortcut_store_one);
            canned_case!(an_edit_lands_only_over_the_revision_read_and_moves_the_shortcut);
            canned_case!(a_scope_lists_in_shortcut_order_narrowed_by_a_prefix);
            canned_case!(a_delete_over_the_revision_read_frees_the_shortcut);
            canned_case!(uses_at_the_same_time_are_all_counted_and_no_edit_loses_them);

            inbox_case!(messages_are_created_once_and_read_back);
            inbox_case!(a_message_is_saved_only_over_the_revision_read);
            inbox_case!(inboxes_list_a_groups_messages_of_one_status_newest_first);
            inbox_case!(agents_acting_at_once_all_get_their_change_in);
            inbox_case!(only_members_of_the_group_read_and_change_its_messages);

            outbox_case!(mail_is_enqueued_once_and_read_back);
            outbox_case!(only_due_mail_is_claimed_oldest_first);
            outbox_case!(sent_mail_is_never_claimed_again);
            outbox_case!(a_retry_is_due_again_at_its_time_with_the_error_kept);
            outbox_case!(an_expired_lease_can_be_claimed_again_and_the_old_holder_records_nothing);
            outbox_case!(two_workers_racing_claim_each_mail_exactly_once);
            outbox_case!(mail_is_listed_by_what_it_is_about);

            business_hours_case!(group_offline_settings_round_trip_with_their_checks);
            business_hours_case!(
                a_group_outside_its_hours_takes_messages_only_and_says_when_it_opens
            );
            business_hours_case!(
                nobody_available_offers_the_choice_and_the_waiting_customer_a_message
            );

            hand_off_case!(each_timer_fires_once_for_a_chat_left_waiting);
            hand_off_case!(an_answered_chat_is_never_handed_off);
            hand_off_case!(never_to_an_away_or_full_agent_nor_back_to_the_same);
            hand_off_case!(a_hand_off_racing_a_take_leaves_one_consistent_outcome);
            hand_off_case!(a_hand_off_racing_an_end_or_a_transfer_has_exactly_one_winner);
            hand_off_case!(the_hand_off_cap_holds);
            hand_off_case!(a_disconnected_agents_chats_move_after_the_timer);

            sign_in_case!(wrong_passwords_lock_the_username_until_the_window_passes);
            sign_in_case!(one_address_spraying_usernames_is_stopped);
            sign_in_case!(successes_neither_count_nor_clear_failures);
            sign_in_case!(a_username_that_cannot_exist_is_invalid_input);
            purge_race_case!(restore_and_purge_sent_at_once_never_both_succeed);
            purge_race_case!(a_purge_is_pushed_with_the_chat_as_it_was_and_a_refused_one_is_not);

            distribution_case!(new_chats_go_to_the_least_loaded_available_member);
            distribution_case!(a_chat_waits_until_a_member_becomes_available);
            distribution_case!(a_chat_handed_back_to_the_queue_goes_to_another_member);
            distribution_case!(pull_groups_keep_chats_in_the_queue);
            distribution_case!(concurrent_starts_and_ends_never_exceed_a_limit);
            distribution_case!(round_robin_hands_out_in_turns_and_skips_the_away);
            distribution_case!(equally_busy_members_go_by_time_since_their_last_assignment);
            distribution_case!(concurrent_round_robin_starts_share_the_turns_evenly);

            case!(groups_and_agents_round_trip);
            case!(a_round_robin_turn_passes_only_from_the_turn_read);
            case!(usernames_are_unique_and_logins_carry_the_hash);
            case!(chats_are_created_once_and_read_back);
            case!(a_commit_applies_the_change_and_appends_the_event);
            case!(a_stale_commit_is_refused_and_writes_nothing);
            case!(a_commit_for_a_missing_chat_is_not_found);
            case!(an_agent_at_capacity_is_refused_and_nothing_is_written);
            case!(a_repeated_client_message_id_returns_the_first_message);
            case!(events_are_read_in_order_after_a_sequence_number);
            case!(lists_follow_chats_through_their_lives);
            case!(list_pages_return_every_chat_once_in_order);
            case!(a_page_goes_on_after_a_chat_that_moved_or_went);
            case!(reading_after_the_largest_sequence_numbers_reads_nothing);
            case!(purging_removes_the_chat_and_its_transcript);
            case!(a_purge_that_lost_a_race_is_refused_and_writes_nothing);
            case!(preferences_round_trip);
            case!(connections_and_subscriptions);
            case!(list_watchers_are_the_consoles_whose_list_follows_the_chat);
            case!(connections_are_limited_per_principal);
            case!(session_epochs_move_only_when_revoked);
            case!(agents_are_removed_with_their_sign_in);
            case!(frames_are_admitted_up_to_the_rate_limit);
            case!(attempts_are_admitted_up_to_the_limit_in_each_window);
            case!(releases_never_go_below_zero);
            case!(concurrent_attempts_never_pass_the_limit);
            case!(articles_round_trip_and_move_the_knowledge_version);
            case!(resolutions_round_trip);
            case!(deflection_is_counted_once_per_question_item_and_action);
            case!(deflection_feedback_counts_only_what_was_shown);
            case!(concurrent_pulls_assign_each_chat_once_within_limits);
            case!(concurrent_sends_are_stored_once_with_gapless_sequence_numbers);
            case!(concurrent_assignments_to_one_agent_respect_the_limit);
            case!(a_transfer_moves_the_load_between_agents);
        }
    };
}

async fn dynamodb() -> Stores {
    chatdesk_tests::dynamo_endpoint::fresh_stores().await.0
}

contract_suite!(sqlite, sqlite());
contract_suite!(dynamodb, dynamodb());
