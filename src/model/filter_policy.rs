//! Amazon SNS subscription filter policies, `MessageAttributes` scope: which messages a topic
//! hands to a subscription. A policy is parsed and validated once, when the subscription is
//! configured, so a mistake shows up as a clear error instead of as messages that silently
//! never arrive; matching a message is then cheap and cannot fail.
//!
//! Rules follow <https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html>.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// SNS rejects a policy object with more keys than this.
const MAX_KEYS: usize = 5;
/// SNS rejects a policy whose condition arrays multiply out to more combinations than this.
const MAX_COMBINATIONS: usize = 150;
/// The key that introduces alternative sub-policies.
const OR_KEY: &str = "$or";
const NUMERIC_HELP: &str = "`numeric` needs an operator and a number, like [\">=\", 100]";

pub use super::message_attribute::MessageAttribute;

/// A parsed, validated filter policy.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    /// Every key must match (AND).
    keys: Vec<KeyFilter>,
    /// From `$or`: when present, at least one of these must match as well.
    alternatives: Vec<FilterPolicy>,
}

/// Why a filter policy was rejected; each message names the key so it can be fixed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FilterPolicyError {
    #[error("a filter policy must be a JSON object, not {found}")]
    NotAnObject { found: &'static str },
    #[error("a filter policy needs at least one key")]
    Empty,
    #[error("a filter policy has {count} keys; SNS allows at most {max}", max = MAX_KEYS)]
    TooManyKeys { count: usize },
    #[error("a filter policy has {count} value combinations; SNS allows at most {max}", max = MAX_COMBINATIONS)]
    TooManyCombinations { count: usize },
    #[error(
        "filter policy key `{key}`: nested objects filter a message body; only MessageAttributes scope is supported"
    )]
    NestedObject { key: String },
    #[error("filter policy key `{key}`: conditions must be a JSON array, like [\"value\"]")]
    NotAnArray { key: String },
    #[error("filter policy key `{key}`: needs at least one condition")]
    NoConditions { key: String },
    #[error("filter policy key `{key}`: unknown operator `{operator}`")]
    UnknownOperator { key: String, operator: String },
    #[error("filter policy key `{key}`: {problem}")]
    InvalidCondition { key: String, problem: String },
    #[error(
        "`$or` needs a non-empty array of filter policy objects, like [{{\"a\": [\"x\"]}}, {{\"b\": [\"y\"]}}]"
    )]
    InvalidOr,
}

/// The conditions on one attribute name; any one matching is enough (OR).
#[derive(Debug, Clone, PartialEq)]
struct KeyFilter {
    name: String,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Equals(Scalar),
    Prefix(String),
    Suffix(String),
    /// Stored lowercased so matching lowercases only the message side.
    EqualsIgnoreCase(String),
    AnythingBut(Exclusion),
    /// Every bound must hold: one for a comparison, two for a range.
    Numeric(Vec<(NumericOp, f64)>),
    Exists(bool),
}

/// A typed value: SNS never matches a string condition against a number or the other way round.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Text(String),
    Number(f64),
}

/// What `anything-but` rules out.
#[derive(Debug, Clone, PartialEq)]
enum Exclusion {
    Values(Vec<Scalar>),
    Prefix(String),
    Suffix(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumericOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl FilterPolicy {
    /// Parses and validates a policy given as JSON (a `serde_json::Value` object), so that
    /// every mistake is reported when the subscription is set up, not when messages flow.
    pub fn parse(policy: &Value) -> Result<Self, FilterPolicyError> {
        let parsed = Self::parse_object(policy)?;
        let count = parsed.combinations();
        if count > MAX_COMBINATIONS {
            return Err(FilterPolicyError::TooManyCombinations { count });
        }
        Ok(parsed)
    }

    /// Whether a message with these attributes passes (attributes keyed by name).
    pub fn matches(&self, attributes: &BTreeMap<String, MessageAttribute>) -> bool {
        self.keys.iter().all(|key| key.matches(attributes))
            && (self.alternatives.is_empty()
                || self
                    .alternatives
                    .iter()
                    .any(|policy| policy.matches(attributes)))
    }

    /// One policy object, top level or inside `$or`; the combination limit is checked once,
    /// on the whole policy, by [`FilterPolicy::parse`].
    fn parse_object(policy: &Value) -> Result<Self, FilterPolicyError> {
        let Value::Object(map) = policy else {
            return Err(FilterPolicyError::NotAnObject {
                found: json_kind(policy),
            });
        };
        if map.is_empty() {
            return Err(FilterPolicyError::Empty);
        }
        let count = map.keys().filter(|name| *name != OR_KEY).count();
        if count > MAX_KEYS {
            return Err(FilterPolicyError::TooManyKeys { count });
        }
        let mut keys = Vec::with_capacity(count);
        let mut alternatives = Vec::new();
        for (name, value) in map {
            if name == OR_KEY {
                alternatives = Self::parse_or(value)?;
            } else {
                keys.push(KeyFilter::parse(name, value)?);
            }
        }
        Ok(Self { keys, alternatives })
    }

    fn parse_or(value: &Value) -> Result<Vec<Self>, FilterPolicyError> {
        let Value::Array(items) = value else {
            return Err(FilterPolicyError::InvalidOr);
        };
        if items.is_empty() {
            return Err(FilterPolicyError::InvalidOr);
        }
        items
            .iter()
            .map(|item| {
                if item.is_object() {
                    Self::parse_object(item)
                } else {
                    Err(FilterPolicyError::InvalidOr)
                }
            })
            .collect()
    }

    /// SNS's complexity measure: the product of the condition counts, where `$or` adds up
    /// its branches. Saturating, because only "over the limit" matters.
    fn combinations(&self) -> usize {
        let own = self.keys.iter().fold(1_usize, |total, key| {
            total.saturating_mul(key.conditions.len())
        });
        if self.alternatives.is_empty() {
            return own;
        }
        let branches = self.alternatives.iter().fold(0_usize, |total, policy| {
            total.saturating_add(policy.combinations())
        });
        own.saturating_mul(branches)
    }
}

impl KeyFilter {
    fn parse(name: &str, value: &Value) -> Result<Self, FilterPolicyError> {
        let key = name.to_owned();
        let items = match value {
            Value::Array(items) => items,
            Value::Object(_) => return Err(FilterPolicyError::NestedObject { key }),
            _ => return Err(FilterPolicyError::NotAnArray { key }),
        };
        if items.is_empty() {
            return Err(FilterPolicyError::NoConditions { key });
        }
        let conditions = items
            .iter()
            .map(|item| Condition::parse(name, item))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            name: key,
            conditions,
        })
    }

    /// A missing attribute only satisfies `{"exists": false}`, and (as AWS documents) only
    /// when the message carries at least one attribute at all.
    fn matches(&self, attributes: &BTreeMap<String, MessageAttribute>) -> bool {
        let Some(attribute) = attributes.get(&self.name) else {
            return !attributes.is_empty() && self.conditions.contains(&Condition::Exists(false));
        };
        let values = attribute_values(attribute);
        self.conditions
            .iter()
            .any(|condition| condition.matches_present(&values))
    }
}

impl Condition {
    fn parse(key: &str, value: &Value) -> Result<Self, FilterPolicyError> {
        match value {
            Value::String(text) => Ok(Self::Equals(Scalar::Text(text.clone()))),
            Value::Number(number) => Ok(Self::Equals(Scalar::Number(to_f64(key, number)?))),
            Value::Object(map) => Self::parse_operator(key, map),
            Value::Null => Err(invalid(
                key,
                "`null` is not supported for message attributes; use {\"exists\": false}",
            )),
            Value::Bool(_) => Err(invalid(
                key,
                "true and false are not supported for message attributes",
            )),
            Value::Array(_) => Err(invalid(
                key,
                "a condition cannot be an array; list alternatives directly",
            )),
        }
    }

    fn parse_operator(key: &str, map: &Map<String, Value>) -> Result<Self, FilterPolicyError> {
        let (operator, argument) = single_entry(map).ok_or_else(|| {
            let count = map.len();
            invalid(
                key,
                format!("a condition object needs exactly one operator, not {count}"),
            )
        })?;
        match operator {
            "prefix" => Ok(Self::Prefix(string_argument(key, operator, argument)?)),
            "suffix" => Ok(Self::Suffix(string_argument(key, operator, argument)?)),
            "equals-ignore-case" => Ok(Self::EqualsIgnoreCase(
                string_argument(key, operator, argument)?.to_lowercase(),
            )),
            "anything-but" => Ok(Self::AnythingBut(Exclusion::parse(key, argument)?)),
            "numeric" => Ok(Self::Numeric(parse_numeric(key, argument)?)),
            "exists" => argument
                .as_bool()
                .map(Self::Exists)
                .ok_or_else(|| invalid(key, "`exists` needs true or false")),
            other => Err(FilterPolicyError::UnknownOperator {
                key: key.to_owned(),
                operator: other.to_owned(),
            }),
        }
    }

    /// The attribute is present; `values` is what it holds (empty for Binary or unreadable values).
    fn matches_present(&self, values: &[Scalar]) -> bool {
        match self {
            Self::Exists(present) => *present,
            _ => values.iter().any(|value| self.matches_value(value)),
        }
    }

    fn matches_value(&self, value: &Scalar) -> bool {
        match (self, value) {
            (Self::Equals(expected), _) => expected.same_as(value),
            (Self::Prefix(prefix), Scalar::Text(text)) => text.starts_with(prefix.as_str()),
            (Self::Suffix(suffix), Scalar::Text(text)) => text.ends_with(suffix.as_str()),
            (Self::EqualsIgnoreCase(lower), Scalar::Text(text)) => text.to_lowercase() == *lower,
            (Self::AnythingBut(exclusion), _) => !exclusion.excludes(value),
            (Self::Numeric(bounds), Scalar::Number(number)) => {
                bounds.iter().all(|(op, bound)| op.holds(*number, *bound))
            }
            _ => false,
        }
    }
}

impl Scalar {
    fn same_as(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => a == b,
            (Self::Number(a), Self::Number(b)) => same_number(*a, *b),
            _ => false,
        }
    }

    fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::String(text) => Some(Self::Text(text.clone())),
            Value::Number(number) => number.as_f64().map(Self::Number),
            _ => None,
        }
    }
}

impl Exclusion {
    fn parse(key: &str, argument: &Value) -> Result<Self, FilterPolicyError> {
        const HELP: &str = concat!(
            "`anything-but` needs a string, a number, a non-empty array of them, ",
            "or {\"prefix\": \"...\"} / {\"suffix\": \"...\"}"
        );
        match argument {
            Value::String(_) | Value::Number(_) => {
                Ok(Self::Values(vec![excluded_value(key, argument, HELP)?]))
            }
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|item| excluded_value(key, item, HELP))
                .collect::<Result<Vec<_>, _>>()
                .map(Self::Values),
            Value::Object(map) => match single_entry(map) {
                Some(("prefix", pattern)) => {
                    Ok(Self::Prefix(string_argument(key, "prefix", pattern)?))
                }
                Some(("suffix", pattern)) => {
                    Ok(Self::Suffix(string_argument(key, "suffix", pattern)?))
                }
                _ => Err(invalid(key, HELP)),
            },
            _ => Err(invalid(key, HELP)),
        }
    }

    fn excludes(&self, value: &Scalar) -> bool {
        match (self, value) {
            (Self::Values(values), _) => values.iter().any(|excluded| excluded.same_as(value)),
            (Self::Prefix(prefix), Scalar::Text(text)) => text.starts_with(prefix.as_str()),
            (Self::Suffix(suffix), Scalar::Text(text)) => text.ends_with(suffix.as_str()),
            _ => false,
        }
    }
}

impl NumericOp {
    fn parse(op: &str) -> Option<Self> {
        match op {
            "=" => Some(Self::Eq),
            "<" => Some(Self::Lt),
            "<=" => Some(Self::Le),
            ">" => Some(Self::Gt),
            ">=" => Some(Self::Ge),
            _ => None,
        }
    }

    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Self::Eq => same_number(value, bound),
            Self::Lt => value < bound,
            Self::Le => value <= bound,
            Self::Gt => value > bound,
            Self::Ge => value >= bound,
        }
    }
}

/// `[op, n]`, or a range `[">"|">=", low, "<"|"<=", high]`, as SNS accepts them.
fn parse_numeric(key: &str, argument: &Value) -> Result<Vec<(NumericOp, f64)>, FilterPolicyError> {
    let Value::Array(items) = argument else {
        return Err(invalid(key, NUMERIC_HELP));
    };
    let bounds = items
        .chunks(2)
        .map(|pair| numeric_bound(key, pair))
        .collect::<Result<Vec<_>, _>>()?;
    match bounds.as_slice() {
        [_] => Ok(bounds),
        [
            (NumericOp::Gt | NumericOp::Ge, low),
            (NumericOp::Lt | NumericOp::Le, high),
        ] if low > high => Err(invalid(
            key,
            format!("`numeric` range is empty: lower bound {low} is above upper bound {high}"),
        )),
        [
            (NumericOp::Gt | NumericOp::Ge, _),
            (NumericOp::Lt | NumericOp::Le, _),
        ] => Ok(bounds),
        [_, _] => Err(invalid(
            key,
            "a `numeric` range needs a lower bound (`>` or `>=`) first, then an upper bound (`<` or `<=`)",
        )),
        _ => Err(invalid(key, NUMERIC_HELP)),
    }
}

fn numeric_bound(key: &str, pair: &[Value]) -> Result<(NumericOp, f64), FilterPolicyError> {
    let [Value::String(op), Value::Number(number)] = pair else {
        return Err(invalid(key, NUMERIC_HELP));
    };
    let op = NumericOp::parse(op).ok_or_else(|| {
        invalid(
            key,
            format!("unknown `numeric` operator `{op}`; use =, <, <=, > or >="),
        )
    })?;
    Ok((op, to_f64(key, number)?))
}

/// The values a message attribute holds, typed the way SNS compares them. Binary (and any
/// type SNS does not filter on) holds none, so only `exists` can match it.
fn attribute_values(attribute: &MessageAttribute) -> Vec<Scalar> {
    if attribute.data_type == "String.Array" {
        return serde_json::from_str::<Vec<Value>>(&attribute.value)
            .map(|items| items.iter().filter_map(Scalar::from_json).collect())
            .unwrap_or_default();
    }
    // SNS allows a custom suffix on the type ("Number.float"); the base type decides.
    match attribute.data_type.split('.').next() {
        Some("String") => vec![Scalar::Text(attribute.value.clone())],
        Some("Number") => attribute
            .value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Scalar::Number)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

fn excluded_value(key: &str, item: &Value, help: &str) -> Result<Scalar, FilterPolicyError> {
    match item {
        Value::Number(number) => Ok(Scalar::Number(to_f64(key, number)?)),
        _ => Scalar::from_json(item).ok_or_else(|| invalid(key, help)),
    }
}

fn single_entry(map: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((name, value)), None) => Some((name.as_str(), value)),
        _ => None,
    }
}

fn string_argument(
    key: &str,
    operator: &str,
    argument: &Value,
) -> Result<String, FilterPolicyError> {
    argument.as_str().map(str::to_owned).ok_or_else(|| {
        invalid(
            key,
            format!("`{operator}` needs a string, like {{\"{operator}\": \"abc\"}}"),
        )
    })
}

fn to_f64(key: &str, number: &serde_json::Number) -> Result<f64, FilterPolicyError> {
    number
        .as_f64()
        .ok_or_else(|| invalid(key, format!("{number} is not a number SNS can compare")))
}

fn invalid(key: &str, problem: impl Into<String>) -> FilterPolicyError {
    FilterPolicyError::InvalidCondition {
        key: key.to_owned(),
        problem: problem.into(),
    }
}

/// SNS compares numbers by value (`100` equals `100.0`), so exact float equality is the intent.
#[allow(clippy::float_cmp)]
fn same_number(a: f64, b: f64) -> bool {
    a == b
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Attr<'a> = (&'a str, &'a str, &'a str);

    fn attrs(list: &[Attr<'_>]) -> BTreeMap<String, MessageAttribute> {
        let attribute = |t: &str, v: &str| MessageAttribute {
            data_type: t.into(),
            value: v.into(),
        };
        list.iter()
            .map(|(name, t, v)| ((*name).to_owned(), attribute(t, v)))
            .collect()
    }

    fn passes(policy: &Value, list: &[Attr<'_>]) -> bool {
        FilterPolicy::parse(policy).unwrap().matches(&attrs(list))
    }

    /// Whether `conditions`, as the policy for key `a`, pass a message whose only attribute is `a`.
    fn one(conditions: &Value, data_type: &str, value: &str) -> bool {
        passes(&json!({ "a": conditions }), &[("a", data_type, value)])
    }

    fn error(policy: &Value) -> FilterPolicyError {
        FilterPolicy::parse(policy).unwrap_err()
    }

    /// The problem text of an `InvalidCondition` for conditions on key `a`.
    fn problem(conditions: &Value) -> String {
        match error(&json!({ "a": conditions })) {
            FilterPolicyError::InvalidCondition { key, problem } if key == "a" => problem,
            other => panic!("expected InvalidCondition, got {other:?}"),
        }
    }

    #[test]
    fn aws_documentation_example() {
        let policy = json!({
            "store": ["example_corp"],
            "event": [{"anything-but": "order_cancelled"}],
            "customer_interests": ["rugby", "football", "baseball"],
            "price_usd": [{"numeric": [">=", 100]}]
        });
        let mut message = vec![
            ("store", "String", "example_corp"),
            ("event", "String", "order_placed"),
            (
                "customer_interests",
                "String.Array",
                r#"["soccer","rugby","hockey"]"#,
            ),
            ("price_usd", "Number", "210.75"),
        ];
        assert!(passes(&policy, &message));
        message[3] = ("price_usd", "Number", "50");
        assert!(!passes(&policy, &message));
        message[3] = ("price_usd", "Number", "210.75");
        message[1] = ("event", "String", "order_cancelled");
        assert!(!passes(&policy, &message));
        message.retain(|(name, _, _)| *name != "store");
        assert!(!passes(&policy, &message), "every key must match");
    }

    #[test]
    fn exact_strings_are_typed_and_match_array_elements() {
        let sports = json!(["rugby", "tennis"]);
        assert!(one(&sports, "String", "rugby"));
        assert!(one(&sports, "String.Array", r#"["golf", "tennis"]"#));
        assert!(!one(&sports, "String", "baseball"));
        assert!(!one(&sports, "String.Array", r#"["baseball"]"#));
        assert!(!passes(
            &json!({ "a": sports }),
            &[("b", "String", "rugby")]
        ));
        assert!(!one(&json!(["100"]), "Number", "100"));
    }

    #[test]
    fn number_literals_compare_numerically() {
        let hundred = json!([100]);
        assert!(one(&hundred, "Number", "100.0"));
        assert!(one(&hundred, "String.Array", r#"["x", 100]"#));
        assert!(!one(&hundred, "String", "100"));
        assert!(!one(&hundred, "Number", "101"));
        assert!(!one(&hundred, "Number", "not a number"));
    }

    #[test]
    fn prefix_suffix_and_equals_ignore_case() {
        let prefix = json!([{"prefix": "bl"}]);
        assert!(one(&prefix, "String", "blue"));
        assert!(one(&prefix, "String.Array", r#"["red", "black"]"#));
        assert!(!one(&prefix, "String", "red"));
        assert!(!one(&json!([{"prefix": "1"}]), "Number", "10"));
        assert!(one(&json!([{"suffix": "ue"}]), "String", "blue"));
        assert!(!one(&json!([{"suffix": "ue"}]), "String", "blues"));
        assert!(one(
            &json!([{"equals-ignore-case": "BLUE"}]),
            "String",
            "Blue"
        ));
        assert!(!one(
            &json!([{"equals-ignore-case": "BLUE"}]),
            "String",
            "Bluey"
        ));
    }

    #[test]
    fn anything_but_values_and_patterns() {
        let list = json!([{"anything-but": ["rugby", "tennis"]}]);
        assert!(one(&list, "String", "baseball"));
        assert!(!one(&list, "String", "tennis"));
        // AWS's example: an array matches when some element is not excluded.
        assert!(one(&list, "String.Array", r#"["rugby", "baseball"]"#));
        assert!(!one(&list, "String.Array", r#"["rugby", "tennis"]"#));
        assert!(!passes(
            &json!({ "a": list }),
            &[("b", "String", "baseball")]
        ));
        let numbers = json!([{"anything-but": [100, 500]}]);
        assert!(one(&numbers, "Number", "200"));
        assert!(!one(&numbers, "Number", "500"));
        assert!(!one(&json!([{"anything-but": 5}]), "Number", "5.0"));
        let prefix = json!([{"anything-but": {"prefix": "order-"}}]);
        assert!(one(&prefix, "String", "refund-1"));
        assert!(!one(&prefix, "String", "order-1"));
        assert!(!one(
            &json!([{"anything-but": {"suffix": "-test"}}]),
            "String",
            "run-test"
        ));
        assert!(!one(&json!([{"anything-but": "x"}]), "Binary", "AAEC"));
    }

    #[test]
    fn numeric_comparisons_and_ranges() {
        let compare =
            |op: &str, value: &str| one(&json!([{"numeric": [op, 100]}]), "Number", value);
        assert!(compare("=", "100") && !compare("=", "100.5"));
        assert!(compare("<", "99") && !compare("<", "100"));
        assert!(compare("<=", "100") && !compare("<=", "101"));
        assert!(compare(">", "101") && !compare(">", "100"));
        assert!(compare(">=", "100") && !compare(">=", "99"));
        let range = json!([{"numeric": [">", 0, "<=", 150]}]);
        assert!(one(&range, "Number", "150"));
        assert!(!one(&range, "Number", "0"));
        assert!(one(&range, "String.Array", "[200, 3]"));
        assert!(!one(&range, "String", "10"));
    }

    #[test]
    fn exists_tests_presence_only() {
        let present = json!({"store": [{"exists": true}]});
        assert!(passes(&present, &[("store", "String", "fans")]));
        assert!(passes(&present, &[("store", "Binary", "AAEC")]));
        assert!(!passes(&present, &[("other", "String", "x")]));
        let absent = json!({"store": [{"exists": false}]});
        assert!(passes(&absent, &[("other", "String", "x")]));
        assert!(!passes(&absent, &[("store", "String", "fans")]));
        // AWS: `exists: false` needs the message to carry at least one attribute.
        assert!(!passes(&absent, &[]));
        let either = json!({"s": [{"anything-but": "x"}, {"exists": false}]});
        assert!(passes(&either, &[("other", "String", "x")]));
        assert!(!passes(&either, &[("s", "String", "x")]));
    }

    #[test]
    fn binary_and_unreadable_values_match_no_value_condition() {
        assert!(!one(&json!(["AAEC"]), "Binary", "AAEC"));
        assert!(!one(&json!(["x"]), "String.Array", "not json"));
        assert!(one(&json!([5]), "Number.float", "5"));
    }

    #[test]
    fn or_needs_one_branch_and_the_other_keys() {
        let policy = json!({
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": [{"prefix": "AWS/"}]}]
        });
        let source = ("source", "String", "aws.cloudwatch");
        assert!(passes(
            &policy,
            &[source, ("metricName", "String", "CPUUtilization")]
        ));
        assert!(passes(
            &policy,
            &[source, ("namespace", "String", "AWS/EC2")]
        ));
        assert!(!passes(
            &policy,
            &[source, ("namespace", "String", "Custom")]
        ));
        let other_source = ("source", "String", "other");
        assert!(!passes(
            &policy,
            &[other_source, ("metricName", "String", "CPUUtilization")]
        ));
    }

    #[test]
    fn rejects_malformed_policies() {
        use FilterPolicyError as E;
        assert_eq!(error(&json!(["a"])), E::NotAnObject { found: "an array" });
        assert_eq!(error(&json!({})), E::Empty);
        let six = json!({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1], "f": [1]});
        assert_eq!(error(&six), E::TooManyKeys { count: 6 });
        let wide =
            json!({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [1, 2, 3, 4], "d": [1, 2, 3, 4]});
        assert_eq!(error(&wide), E::TooManyCombinations { count: 256 });
        let key = || "a".to_owned();
        assert_eq!(
            error(&json!({"a": {"b": ["x"]}})),
            E::NestedObject { key: key() }
        );
        assert_eq!(error(&json!({"a": "x"})), E::NotAnArray { key: key() });
        assert_eq!(error(&json!({"a": []})), E::NoConditions { key: key() });
        let unknown = E::UnknownOperator {
            key: key(),
            operator: "foo".into(),
        };
        assert_eq!(error(&json!({"a": [{"foo": 1}]})), unknown);
        assert_eq!(error(&json!({"$or": {"a": ["x"]}})), E::InvalidOr);
        assert_eq!(error(&json!({"$or": ["x"]})), E::InvalidOr);
        assert_eq!(error(&json!({"$or": [{}]})), E::Empty);
    }

    #[test]
    fn rejects_malformed_conditions() {
        let cases = [
            (json!([null]), "`null` is not supported"),
            (json!([true]), "not supported"),
            (json!([["x"]]), "cannot be an array"),
            (json!([{"prefix": 1}]), "`prefix` needs a string"),
            (
                json!([{"prefix": "x", "suffix": "y"}]),
                "exactly one operator",
            ),
            (json!([{"exists": "yes"}]), "`exists` needs true or false"),
            (json!([{"anything-but": []}]), "`anything-but` needs"),
            (
                json!([{"anything-but": {"wildcard": "x*"}}]),
                "`anything-but` needs",
            ),
            (
                json!([{"numeric": ["~", 1]}]),
                "unknown `numeric` operator `~`",
            ),
            (json!([{"numeric": ["<", 1, ">", 0]}]), "lower bound"),
            (json!([{"numeric": [">", 10, "<", 1]}]), "range is empty"),
            (
                json!([{"numeric": [">", 1, "<", 5, "=", 3]}]),
                "needs an operator",
            ),
        ];
        for (conditions, expected) in cases {
            let text = problem(&conditions);
            assert!(text.contains(expected), "{conditions}: {text}");
        }
        assert_eq!(
            error(&json!({"price": [{"numeric": [">="]}]})).to_string(),
            "filter policy key `price`: `numeric` needs an operator and a number, like [\">=\", 100]"
        );
    }
}
