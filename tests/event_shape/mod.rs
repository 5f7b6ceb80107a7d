//! Comparing generated events with the AWS samples of `tests/fixtures/aws-events`: the
//! same keys, nesting and JSON types, but for differences each test names.
#![allow(
    dead_code,
    reason = "each test binary that includes this module uses a part of it"
)]

use serde_json::Value;

const SAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aws-events");

/// The parsed sample `name` of `tests/fixtures/aws-events`.
pub fn sample(name: &str) -> Value {
    let path = format!("{SAMPLES_DIR}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("parsing {path}: {err}"))
}

/// The JSON type of `value`, for messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `path.key`, or `key` at the root.
fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Every difference of shape between `expected` (a sample) and `actual`: keys
/// missing from `actual`, keys only in `actual`, and values of another JSON
/// type. Each element of an `actual` array is compared with the first element
/// of the `expected` one. Differences read `missing a.b`, `extra a.b` and
/// `type a.b: sample string, generated null`.
pub fn same_shape(expected: &Value, actual: &Value, path: &str) -> Vec<String> {
    let mut differences = Vec::new();
    match (expected, actual) {
        (Value::Object(expected_fields), Value::Object(actual_fields)) => {
            for (key, expected_value) in expected_fields {
                let key_path = child_path(path, key);
                match actual_fields.get(key) {
                    Some(actual_value) => {
                        differences.extend(same_shape(expected_value, actual_value, &key_path));
                    }
                    None => differences.push(format!("missing {key_path}")),
                }
            }
            for key in actual_fields.keys() {
                if !expected_fields.contains_key(key) {
                    differences.push(format!("extra {}", child_path(path, key)));
                }
            }
        }
        (Value::Array(expected_items), Value::Array(actual_items)) => {
            if let Some(first) = expected_items.first() {
                for (index, actual_item) in actual_items.iter().enumerate() {
                    differences.extend(same_shape(first, actual_item, &format!("{path}[{index}]")));
                }
            }
        }
        _ => {
            if type_name(expected) != type_name(actual) {
                differences.push(format!(
                    "type {path}: sample {}, generated {}",
                    type_name(expected),
                    type_name(actual)
                ));
            }
        }
    }
    differences
}

/// Asserts that `actual` has the shape of `expected` but for exactly the
/// `allowed` differences (each of which must still occur, so the list stays
/// honest).
pub fn assert_shape(what: &str, expected: &Value, actual: &Value, allowed: &[&str]) {
    let differences = same_shape(expected, actual, "");
    let unexpected: Vec<&String> = differences
        .iter()
        .filter(|difference| !allowed.contains(&difference.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{what}: differences from the sample: {unexpected:#?}\ngenerated: {actual:#}"
    );
    for allowed_difference in allowed {
        assert!(
            differences
                .iter()
                .any(|difference| difference.as_str() == *allowed_difference),
            "{what}: allowed difference `{allowed_difference}` no longer occurs; remove it"
        );
    }
}
