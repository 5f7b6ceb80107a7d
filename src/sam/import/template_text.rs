//! A SAM template's text into JSON: JSON templates as they are, YAML templates with
//! CloudFormation's short forms (`!Ref x`, `!GetAtt a.b`, `!Sub …`) turned into the long
//! forms (`{"Ref": "x"}`, `{"Fn::GetAtt": ["a", "b"]}`) that JSON templates write, so the
//! rest of the import reads one shape.

use serde_json::{Map, Value};
use serde_yaml_ng::Value as Yaml;

/// CloudFormation's short-form tags; each is `Fn::<name>` except `!Ref` and `!Condition`.
const FUNCTION_TAGS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "GetAtt",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "Length",
    "ToJsonString",
];

/// Why a template's text is not a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateTextError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("`{tag}` is not a CloudFormation intrinsic function (at `{path}`)")]
    UnknownTag { tag: String, path: String },
    #[error("a mapping key at `{path}` is not a string, number or boolean")]
    BadKey { path: String },
    #[error("{what} at `{path}` is not a number JSON can hold")]
    BadNumber { what: String, path: String },
    #[error("the template is not a mapping of sections (`Resources:` and the others)")]
    NotAMapping,
}

/// The template as JSON with long-form intrinsics.
pub fn parse_template(text: &str) -> Result<Value, TemplateTextError> {
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text)?
    } else {
        let yaml: Yaml = serde_yaml_ng::from_str(text)?;
        to_json(yaml, "")?
    };
    if !value.is_object() {
        return Err(TemplateTextError::NotAMapping);
    }
    Ok(value)
}

fn to_json(yaml: Yaml, path: &str) -> Result<Value, TemplateTextError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(flag) => Value::Bool(flag),
        Yaml::Number(number) => number_to_json(&number, path)?,
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| to_json(item, &format!("{path}[{index}]")))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(text) => text,
                    Yaml::Number(number) => number.to_string(),
                    Yaml::Bool(flag) => flag.to_string(),
                    _ => {
                        return Err(TemplateTextError::BadKey {
                            path: path.to_owned(),
                        });
                    }
                };
                let inner_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                object.insert(key, to_json(value, &inner_path)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = to_json(tagged.value, path)?;
            long_form(name, inner).ok_or_else(|| TemplateTextError::UnknownTag {
                tag: tag.clone(),
                path: path.to_owned(),
            })?
        }
    })
}

/// `!Name value` as CloudFormation's long form, or `None` for a tag it does not know.
fn long_form(name: &str, inner: Value) -> Option<Value> {
    let (key, value) = match name {
        "Ref" => ("Ref".to_owned(), inner),
        "Condition" => ("Condition".to_owned(), inner),
        // `!GetAtt resource.attribute`: the resource's logical id has no dots, the
        // attribute may (`Endpoint.Address`).
        "GetAtt" => {
            let value = match inner {
                Value::String(text) => match text.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![
                        Value::String(resource.to_owned()),
                        Value::String(attribute.to_owned()),
                    ]),
                    None => Value::String(text),
                },
                other => other,
            };
            ("Fn::GetAtt".to_owned(), value)
        }
        other if FUNCTION_TAGS.contains(&other) => (format!("Fn::{other}"), inner),
        _ => return None,
    };
    let mut object = Map::new();
    object.insert(key, value);
    Some(Value::Object(object))
}

fn number_to_json(number: &serde_yaml_ng::Number, path: &str) -> Result<Value, TemplateTextError> {
    let converted = if let Some(unsigned) = number.as_u64() {
        Some(Value::from(unsigned))
    } else if let Some(signed) = number.as_i64() {
        Some(Value::from(signed))
    } else {
        number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
    };
    converted.ok_or_else(|| TemplateTextError::BadNumber {
        what: number.to_string(),
        path: path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_short_form_becomes_its_long_form() {
        let template = parse_template(
            "A: !Ref Name\nB: !GetAtt Queue.Arn\nC: !Sub 'x-${AWS::Region}'\nD: !Join [',', [a, b]]\nE: !If [IsProd, 1, 2]\nF: !Equals [!Ref Env, prod]\nG: !And [!Condition X, !Not [!Condition Y]]\nH: !Or [!Condition X, !Condition Y]\nI: !Select [0, !Split [',', 'a,b']]\nJ: !FindInMap [M, K, V]\nK: !ImportValue Shared\nL: !Base64 hi\nM: !GetAZs ''\nN: !Cidr ['10.0.0.0/16', 2, 8]\n",
        )
        .unwrap();
        assert_eq!(template["A"], json!({"Ref": "Name"}));
        assert_eq!(template["B"], json!({"Fn::GetAtt": ["Queue", "Arn"]}));
        assert_eq!(template["C"], json!({"Fn::Sub": "x-${AWS::Region}"}));
        assert_eq!(template["D"], json!({"Fn::Join": [",", ["a", "b"]]}));
        assert_eq!(template["E"], json!({"Fn::If": ["IsProd", 1, 2]}));
        assert_eq!(
            template["F"],
            json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
        );
        assert_eq!(
            template["G"],
            json!({"Fn::And": [{"Condition": "X"}, {"Fn::Not": [{"Condition": "Y"}]}]})
        );
        assert_eq!(template["H"]["Fn::Or"][1], json!({"Condition": "Y"}));
        assert_eq!(
            template["I"],
            json!({"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]})
        );
        assert_eq!(template["J"], json!({"Fn::FindInMap": ["M", "K", "V"]}));
        assert_eq!(template["K"], json!({"Fn::ImportValue": "Shared"}));
        assert_eq!(template["L"], json!({"Fn::Base64": "hi"}));
        assert_eq!(template["M"], json!({"Fn::GetAZs": ""}));
        assert_eq!(template["N"], json!({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}));
    }

    #[test]
    fn an_unknown_tag_and_bad_yaml_are_errors_that_say_where() {
        let error = parse_template("Resources:\n  A:\n    Type: !Reff X\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`!Reff` is not a CloudFormation intrinsic function (at `Resources.A.Type`)"
        );
        let error = parse_template("Resources:\n  A: [\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("not valid YAML"), "{error}");
        assert!(error.contains("line"), "{error}");
    }

    #[test]
    fn json_templates_are_read_as_they_are() {
        let template =
            parse_template("{\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\"}}}").unwrap();
        assert_eq!(template["Resources"]["A"]["Type"], "AWS::SNS::Topic");
        assert!(parse_template("[1]").is_err());
    }
}
