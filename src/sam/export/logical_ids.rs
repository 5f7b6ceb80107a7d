//! CloudFormation logical ids for lambdesk's names: `process-orders` → `ProcessOrdersFunction`.
//! Logical ids are letters and digits only and unique in the template.

use std::collections::{BTreeMap, BTreeSet};

/// The kinds of resource a name becomes; the suffix keeps a queue and a topic called
/// `orders` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceKind {
    Function,
    Queue,
    Topic,
    Bucket,
}

impl ResourceKind {
    fn suffix(self) -> &'static str {
        match self {
            Self::Function => "Function",
            Self::Queue => "Queue",
            Self::Topic => "Topic",
            Self::Bucket => "Bucket",
        }
    }
}

/// Every logical id handed out so far, by kind and lambdesk name.
#[derive(Debug, Default)]
pub struct LogicalIds {
    by_name: BTreeMap<(ResourceKind, String), String>,
    used: BTreeSet<String>,
}

impl LogicalIds {
    /// The id of `name` as a `kind`, the same on every call; a second name that would
    /// read the same (`a-b` and `a_b`) gets a number.
    pub fn of(&mut self, kind: ResourceKind, name: &str) -> String {
        if let Some(id) = self.by_name.get(&(kind, name.to_owned())) {
            return id.clone();
        }
        let base = format!("{}{}", camel_case(name), kind.suffix());
        let mut id = base.clone();
        let mut number = 2;
        while !self.reserve(&id) {
            id = format!("{base}{number}");
            number += 1;
        }
        self.by_name.insert((kind, name.to_owned()), id.clone());
        id
    }

    /// Claims an id that is no lambdesk name's (a layer, a policy); false if taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_owned())
    }
}

/// `process-orders` → `ProcessOrders`, `work.fifo` → `WorkFifo`, `2fa_codes` → `2faCodes`.
fn camel_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_unique_alphanumeric_ids() {
        let mut ids = LogicalIds::default();
        assert_eq!(
            ids.of(ResourceKind::Function, "process-orders"),
            "ProcessOrdersFunction"
        );
        assert_eq!(ids.of(ResourceKind::Queue, "work.fifo"), "WorkFifoQueue");
        assert_eq!(ids.of(ResourceKind::Queue, "orders"), "OrdersQueue");
        assert_eq!(ids.of(ResourceKind::Topic, "orders"), "OrdersTopic");
        assert_eq!(ids.of(ResourceKind::Function, "a-b"), "ABFunction");
        assert_eq!(ids.of(ResourceKind::Function, "a_b"), "ABFunction2");
        assert_eq!(ids.of(ResourceKind::Function, "a-b"), "ABFunction");
    }
}
