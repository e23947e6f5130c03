//! A store decorator that counts every call by operation, for the benchmarks' "store calls per
//! message" figure, and can make one operation fail as a broken backend would (for the tests of
//! what a client is told then). It wraps any adapter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chatdesk::domain::*;
use chatdesk::ports::*;
use chatdesk_server::Stores;

#[derive(Clone)]
pub struct CountingStores {
    inner: Stores,
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
    failing: Arc<Mutex<Option<&'static str>>>,
}

impl CountingStores {
    pub fn wrap(inner: Stores) -> Self {
        CountingStores {
            inner,
            counts: Arc::default(),
            failing: Arc::default(),
        }
    }

    pub fn stores(&self) -> Stores {
        let me = Arc::new(self.clone());
        Stores {
            directory: me.clone(),
            chats: me.clone(),
            preferences: me.clone(),
            connections: me.clone(),
            throttle: me.clone(),
            knowledge: me,
            // Offline messages are not on the paths these counts measure.
            inbox: self.inner.inbox.clone(),
            notes: self.inner.notes.clone(),
            history: self.inner.history.clone(),
            canned: self.inner.canned.clone(),
            // Not counted: no test fails the outbox through this wrapper.
            outbox: self.inner.outbox.clone(),
            audit: self.inner.audit.clone(),
        }
    }

    /// Counts a call of `op`, and fails it when `op` is the operation told to fail.
    fn count(&self, op: &'static str) -> Result<(), StoreError> {
        if let Ok(mut m) = self.counts.lock() {
            *m.entry(op).or_default() += 1;
        }
        if self.failing.lock().map(|f| *f == Some(op)).unwrap_or(false) {
            return Err(StoreError::backend(std::io::Error::other(format!(
                "{op} failed (injected)"
            ))));
        }
        Ok(())
    }

    /// From now on every call of `op` fails as a broken backend would (`None`: none fails).
    pub fn fail(&self, op: Option<&'static str>) {
        if let Ok(mut f) = self.failing.lock() {
            *f = op;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.counts.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn reset(&self) {
        if let Ok(mut m) = self.counts.lock() {
            m.clear();
        }
    }

    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
}

#[async_trait]
impl DirectoryStore for CountingStores {
    async fn put_group(&self, group: &Group) -> Result<(), StoreError> {
        self.count("put_group")?;
        self.inner.directory.put_group(group).await
    }
    async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
        self.count("list_groups")?;
        self.inner.directory.list_groups().await
    }
    async fn delete_group(&self, id: &GroupId) -> Result<bool, StoreError> {
        self.count("delete_group")?;
        self.inner.directory.delete_group(id).await
    }
    async fn get_organisation(&self) -> Result<Option<OrganisationSettings>, StoreError> {
        self.count("get_organisation")?;
        self.inner.directory.get_organisation().await
    }
    async fn put_organisation(
        &self,
        settings: &OrganisationSettings,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        self.count("put_organisation")?;
        self.inner
            .directory
            .put_organisation(settings, read_revision)
            .await
    }
    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        self.count("put_agent")?;
        self.inner.directory.put_agent(agent).await
    }
    async fn set_session_epoch(&self, id: &AgentId, epoch: u64) -> Result<(), StoreError> {
        self.count("set_session_epoch")?;
        self.inner.directory.set_session_epoch(id, epoch).await
    }
    async fn delete_agent(&self, id: &AgentId) -> Result<bool, StoreError> {
        self.count("delete_agent")?;
        self.inner.directory.delete_agent(id).await
    }
    async fn get_agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        self.count("get_agent")?;
        self.inner.directory.get_agent(id).await
    }
    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.count("list_agents")?;
        self.inner.directory.list_agents().await
    }
    async fn set_password_hash(&self, id: &AgentId, hash: &str) -> Result<(), StoreError> {
        self.count("set_password_hash")?;
        self.inner.directory.set_password_hash(id, hash).await
    }
    async fn find_login(&self, username: &str) -> Result<Option<(Agent, String)>, StoreError> {
        self.count("find_login")?;
        self.inner.directory.find_login(username).await
    }
    async fn active_chat_count(&self, id: &AgentId) -> Result<u32, StoreError> {
        self.count("active_chat_count")?;
        self.inner.directory.active_chat_count(id).await
    }
    async fn assignment_load(
        &self,
        id: &AgentId,
    ) -> Result<chatdesk::ports::AssignmentLoad, StoreError> {
        self.count("assignment_load")?;
        self.inner.directory.assignment_load(id).await
    }
    async fn mark_offline(&self, agent: &AgentId, since: Timestamp) -> Result<(), StoreError> {
        self.count("mark_offline")?;
        self.inner.directory.mark_offline(agent, since).await
    }
    async fn mark_online(&self, agent: &AgentId) -> Result<(), StoreError> {
        self.count("mark_online")?;
        self.inner.directory.mark_online(agent).await
    }
    async fn offline_agents(
        &self,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError> {
        self.count("offline_agents")?;
        self.inner.directory.offline_agents(until, limit).await
    }
    async fn round_robin_turn(&self, group: &GroupId) -> Result<Option<AgentId>, StoreError> {
        self.count("round_robin_turn")?;
        self.inner.directory.round_robin_turn(group).await
    }
    async fn pass_round_robin_turn(
        &self,
        group: &GroupId,
        from: Option<&AgentId>,
        to: &AgentId,
    ) -> Result<bool, StoreError> {
        self.count("pass_round_robin_turn")?;
        self.inner
            .directory
            .pass_round_robin_turn(group, from, to)
            .await
    }
}

#[async_trait]
impl ChatStore for CountingStores {
    async fn create_chat(&self, chat: &Chat, events: &[ChatEvent]) -> Result<(), StoreError> {
        self.count("create_chat")?;
        self.inner.chats.create_chat(chat, events).await
    }
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        self.count("get_chat")?;
        self.inner.chats.get_chat(id).await
    }
    async fn commit(&self, commit: &ChatCommit) -> Result<CommitOutcome, StoreError> {
        self.count("commit")?;
        self.inner.chats.commit(commit).await
    }
    async fn events_after(
        &self,
        chat: &ChatId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<ChatEvent>, StoreError> {
        self.count("events_after")?;
        self.inner.chats.events_after(chat, after_seq, limit).await
    }
    async fn find_message(
        &self,
        chat: &ChatId,
        client_msg_id: &ClientMessageId,
    ) -> Result<Option<ChatEvent>, StoreError> {
        self.count("find_message")?;
        self.inner.chats.find_message(chat, client_msg_id).await
    }
    async fn list_chats_after(
        &self,
        filter: &ChatFilter,
        after: Option<&ListPosition>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        self.count("list_chats")?;
        self.inner
            .chats
            .list_chats_after(filter, after, limit)
            .await
    }
    async fn awaiting_chats(
        &self,
        group: &GroupId,
        kind: Awaiting,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<ChatId>, StoreError> {
        self.count("awaiting_chats")?;
        self.inner
            .chats
            .awaiting_chats(group, kind, until, limit)
            .await
    }
    async fn note_agent_activity(&self, before: &Chat, at: Timestamp) -> Result<bool, StoreError> {
        self.count("note_agent_activity")?;
        self.inner.chats.note_agent_activity(before, at).await
    }
    async fn queue_position(&self, chat: &Chat) -> Result<u32, StoreError> {
        self.count("queue_position")?;
        self.inner.chats.queue_position(chat).await
    }
    async fn purge_chat(&self, id: &ChatId, expected_seq: u64) -> Result<(), StoreError> {
        self.count("purge_chat")?;
        self.inner.chats.purge_chat(id, expected_seq).await
    }
    async fn finish_purge(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        self.count("finish_purge")?;
        self.inner.chats.finish_purge(id).await
    }
}

#[async_trait]
impl PreferenceStore for CountingStores {
    async fn get_preferences(
        &self,
        agent: &AgentId,
    ) -> Result<Option<ListPreferences>, StoreError> {
        self.count("get_preferences")?;
        self.inner.preferences.get_preferences(agent).await
    }
    async fn put_preferences(
        &self,
        agent: &AgentId,
        prefs: &ListPreferences,
    ) -> Result<(), StoreError> {
        self.count("put_preferences")?;
        self.inner.preferences.put_preferences(agent, prefs).await
    }
}

#[async_trait]
impl ThrottleStore for CountingStores {
    async fn admit(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<Allowance, StoreError> {
        self.count("throttle_admit")?;
        self.inner.throttle.admit(key, now, limit).await
    }
    async fn release(
        &self,
        key: &ThrottleKey,
        admitted_at: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError> {
        self.count("throttle_release")?;
        self.inner.throttle.release(key, admitted_at, limit).await
    }
}

#[async_trait]
impl ConnectionStore for CountingStores {
    async fn put_connection(&self, connection: &Connection, max: u32) -> Result<(), StoreError> {
        self.count("put_connection")?;
        self.inner.connections.put_connection(connection, max).await
    }
    async fn principal_connections(
        &self,
        principal: &PrincipalKey,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        self.count("principal_connections")?;
        self.inner
            .connections
            .principal_connections(principal, now)
            .await
    }
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.count("get_connection")?;
        self.inner.connections.get_connection(id).await
    }
    async fn admit_frame(
        &self,
        id: &ConnectionId,
        now: Timestamp,
        limit: RateLimit,
    ) -> Result<Admission, StoreError> {
        self.count("admit_frame")?;
        self.inner.connections.admit_frame(id, now, limit).await
    }
    async fn remove_connection(&self, id: &ConnectionId) -> Result<(), StoreError> {
        self.count("remove_connection")?;
        self.inner.connections.remove_connection(id).await
    }
    async fn watch_chat(&self, chat: &ChatId, connection: &ConnectionId) -> Result<(), StoreError> {
        self.count("watch_chat")?;
        self.inner.connections.watch_chat(chat, connection).await
    }
    async fn unwatch_chat(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        self.count("unwatch_chat")?;
        self.inner.connections.unwatch_chat(chat, connection).await
    }
    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError> {
        self.count("chat_subscribers")?;
        self.inner.connections.chat_subscribers(chat).await
    }
    async fn group_subscribers(&self, group: &GroupId) -> Result<Vec<GroupSubscriber>, StoreError> {
        self.count("group_subscribers")?;
        self.inner.connections.group_subscribers(group).await
    }
    async fn list_watchers(&self, chat: &Chat) -> Result<Vec<ConnectionId>, StoreError> {
        self.count("list_watchers")?;
        self.inner.connections.list_watchers(chat).await
    }
    async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError> {
        self.count("watch_list")?;
        self.inner.connections.watch_list(connection, list).await
    }
}

#[async_trait]
impl KnowledgeStore for CountingStores {
    async fn put_article(&self, article: &kb::Article) -> Result<(), StoreError> {
        self.count("put_article")?;
        self.inner.knowledge.put_article(article).await
    }
    async fn get_article(&self, id: &ArticleId) -> Result<Option<kb::Article>, StoreError> {
        self.count("get_article")?;
        self.inner.knowledge.get_article(id).await
    }
    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError> {
        self.count("delete_article")?;
        self.inner.knowledge.delete_article(id).await
    }
    async fn list_articles(&self) -> Result<Vec<kb::Article>, StoreError> {
        self.count("list_articles")?;
        self.inner.knowledge.list_articles().await
    }
    async fn put_resolution(&self, resolution: &kb::Resolution) -> Result<(), StoreError> {
        self.count("put_resolution")?;
        self.inner.knowledge.put_resolution(resolution).await
    }
    async fn list_resolutions(&self) -> Result<Vec<kb::Resolution>, StoreError> {
        self.count("list_resolutions")?;
        self.inner.knowledge.list_resolutions().await
    }
    async fn delete_resolution(&self, chat: &ChatId) -> Result<bool, StoreError> {
        self.count("delete_resolution")?;
        self.inner.knowledge.delete_resolution(chat).await
    }
    async fn knowledge_version(&self) -> Result<u64, StoreError> {
        self.count("knowledge_version")?;
        self.inner.knowledge.knowledge_version().await
    }
    async fn store_embedding(&self, item_id: &str, embedding: &[f32]) -> Result<(), StoreError> {
        self.count("store_embedding")?;
        self.inner
            .knowledge
            .store_embedding(item_id, embedding)
            .await
    }
    async fn record_deflection(
        &self,
        event: &kb::DeflectionEvent,
    ) -> Result<DeflectionRecorded, StoreError> {
        self.count("record_deflection")?;
        self.inner.knowledge.record_deflection(event).await
    }
    async fn deflection_report(&self) -> Result<DeflectionReport, StoreError> {
        self.count("deflection_report")?;
        self.inner.knowledge.deflection_report().await
    }
}
