//! JSON values written as block YAML that every YAML reader takes the same way. The SAM
//! tools (cfn-lint, aws-sam-translator, the SAM CLI) read YAML 1.1 with PyYAML, where a
//! plain `2010-09-09` is a date, `12:30` a number and `on` a boolean; YAML 1.2 writers
//! (serde_yaml and its forks) leave those plain, and `AWSTemplateFormatVersion` then
//! reaches the translator as a date it cannot serialise. Here a scalar stays plain only
//! when it is plainly text; every other one is double-quoted, with JSON's escapes (a
//! subset of YAML's).

use serde_json::Value;

/// `value` (an object, for a template) as YAML, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_sequence(items, 0, &mut out),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_mapping(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in map {
        push_indent(indent, out);
        out.push_str(&string_scalar(key));
        out.push(':');
        write_nested(value, indent, out);
    }
}

fn write_sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        push_indent(indent, out);
        out.push('-');
        match item {
            // `- Key: value` with the mapping's other keys under the first.
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                let mut nested = String::new();
                write_mapping(map, indent + 2, &mut nested);
                out.push_str(nested.trim_start());
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_sequence(inner, indent + 2, out);
            }
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a scalar on the same line, a collection on the lines below.
fn write_nested(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(map, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(items, indent + 2, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

fn push_indent(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar or an empty collection on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => string_scalar(text),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// Words YAML 1.1 reads as booleans or null.
const RESERVED_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
];

fn string_scalar(text: &str) -> String {
    if is_plain_text(text) {
        text.to_owned()
    } else {
        // JSON's string syntax is valid YAML double-quoted syntax.
        Value::String(text.to_owned()).to_string()
    }
}

/// Starts with a letter, `/` or `$`, holds only characters that mean nothing special in
/// a block scalar, no `: ` or ` #`, no space at either end, and is no reserved word.
fn is_plain_text(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let starts_well = first.is_ascii_alphabetic() || first == '/' || first == '$';
    let chars_ok = text.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ' ' | '_'
                    | '-'
                    | '.'
                    | '/'
                    | '$'
                    | '{'
                    | '}'
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | '@'
                    | '='
                    | ':'
                    | ','
            )
    });
    starts_well
        && chars_ok
        && !text.ends_with(' ')
        && !text.ends_with(':')
        && !text.contains(": ")
        && !text.contains("  ")
        && !RESERVED_WORDS.contains(&text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::to_yaml;

    #[test]
    fn dates_times_and_yaml_1_1_words_are_quoted() {
        let yaml = to_yaml(&json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "A": "12:30",
            "B": "on",
            "C": "s3:ObjectCreated:*",
            "D": "/items/{id}",
            "E": "it's: here",
            "F": "two\nlines",
            "G": "",
            "H": "${AWS::Region}",
        }));
        assert_eq!(
            yaml,
            "AWSTemplateFormatVersion: \"2010-09-09\"\nA: \"12:30\"\nB: \"on\"\nC: s3:ObjectCreated:*\nD: /items/{id}\nE: \"it's: here\"\nF: \"two\\nlines\"\nG: \"\"\nH: ${AWS::Region}\n"
        );
    }

    #[test]
    fn collections_nest_in_block_style() {
        let yaml = to_yaml(&json!({
            "Resources": {
                "Q": { "Type": "AWS::SQS::Queue", "Properties": { "FifoQueue": true, "Delay": 5 } },
            },
            "List": [{ "Ref": "A", "Other": [1, 2] }, "x", [], {}],
        }));
        assert_eq!(
            yaml,
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: true\n      Delay: 5\nList:\n  - Ref: A\n    Other:\n      - 1\n      - 2\n  - x\n  - []\n  - {}\n"
        );
    }
}
