//! Failovers: which replica failure causes one, and the outage it makes.

use super::agenda::What;
use super::run::Runner;
use crate::system::ComponentId;

impl Runner<'_> {
    /// Whether the failure of replica `i` of component `c`, about to happen, causes a failover:
    /// the replica is in service (not failed, not in its maintenance turn, its domain up), the
    /// component is not in whole maintenance, enough replicas stay in service after it, and
    /// with `on: leader` it is the leader. The leader is kept while it stays in service;
    /// otherwise the first replica in service takes over when one is needed.
    pub(super) fn causes_failover(&mut self, c: ComponentId, i: usize) -> bool {
        let k = &self.net.components[c];
        if k.failover.is_none()
            || self.value(k.replica_down[i] as usize)
            || k.maintenance.is_some_and(|m| self.value(m as usize))
        {
            return false;
        }
        let out = k
            .replica_down
            .iter()
            .filter(|&&r| self.value(r as usize))
            .count() as u32;
        if out + 1 >= k.need {
            return false;
        }
        if k.leader_only {
            let leader = self.leader[c] as usize;
            let leader =
                if leader < k.replica_down.len() && !self.value(k.replica_down[leader] as usize) {
                    leader
                } else {
                    (k.replica_down.iter())
                        .position(|&r| !self.value(r as usize))
                        .expect("replica i is in service")
                };
            if leader != i {
                self.leader[c] = leader as u32;
                return false;
            }
            self.leader[c] = u32::MAX;
        }
        true
    }

    /// Takes component `c` down while traffic fails over.
    pub(super) fn failover(&mut self, c: ComponentId, t: f64) {
        let Some((node, duration)) = self.net.components[c].failover else {
            return;
        };
        self.failover_token[c] = self.failover_token[c].wrapping_add(1);
        let token = self.failover_token[c];
        self.schedule(t + duration, What::FailoverEnd, c, token);
        self.set(node, true, t);
    }
}
