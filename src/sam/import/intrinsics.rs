//! CloudFormation's intrinsic functions evaluated where their value is knowable on this
//! machine: parameters (their defaults or the user's overrides), pseudo parameters, mappings,
//! conditions, and the names and ARNs of the template's own buckets, queues, topics and
//! functions (the local resources they become). What only AWS knows (another stack's
//! exports, a table's generated name) is [`Unevaluable`], with the reason, for the report.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use base64::Engine as _;
use serde_json::{Map, Value};

/// Why a value cannot be worked out locally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unevaluable(pub String);

fn unevaluable<T>(reason: impl Into<String>) -> Result<T, Unevaluable> {
    Err(Unevaluable(reason.into()))
}

/// The values a resource of the template stands for in `Ref` and `Fn::GetAtt`.
#[derive(Debug, Clone)]
pub struct ResourceValues {
    /// What `Ref` gives, or why it is not known here.
    pub reference: Result<Value, Unevaluable>,
    /// What `Fn::GetAtt` gives for each attribute known here.
    pub attributes: BTreeMap<String, Value>,
}

/// The pseudo parameters' values for an import.
#[derive(Debug, Clone)]
pub struct Pseudo {
    pub region: String,
    pub account_id: String,
    pub stack_name: String,
}

impl Pseudo {
    fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    fn value(&self, name: &str) -> Option<Value> {
        Some(Value::String(match name {
            "AWS::Region" => self.region.clone(),
            "AWS::AccountId" => self.account_id.clone(),
            "AWS::StackName" => self.stack_name.clone(),
            "AWS::StackId" => format!(
                "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
                self.partition(),
                self.region,
                self.account_id,
                self.stack_name
            ),
            "AWS::Partition" => self.partition().to_owned(),
            "AWS::URLSuffix" if self.region.starts_with("cn-") => "amazonaws.com.cn".to_owned(),
            "AWS::URLSuffix" => "amazonaws.com".to_owned(),
            "AWS::NotificationARNs" => return Some(Value::Array(Vec::new())),
            _ => return None,
        }))
    }
}

/// Everything intrinsic functions read.
#[derive(Debug, Clone)]
pub struct Intrinsics {
    pub pseudo: Pseudo,
    /// Each parameter's value (a string, or a list for list types), or why it has none.
    pub parameters: BTreeMap<String, Result<Value, Unevaluable>>,
    pub mappings: Map<String, Value>,
    /// The `Conditions` section, unevaluated.
    pub conditions: Map<String, Value>,
    pub resources: BTreeMap<String, ResourceValues>,
}

/// Conditions nest; a cycle (`A` uses `B` uses `A`) stops here instead of overflowing.
const MAX_CONDITION_DEPTH: usize = 32;

impl Intrinsics {
    /// `value` with every intrinsic function replaced by its result; `None` where it is
    /// `AWS::NoValue` (the property is then left out, as CloudFormation does).
    pub fn evaluate(&self, value: &Value) -> Result<Option<Value>, Unevaluable> {
        match value {
            Value::Array(items) => {
                let mut evaluated = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(item) = self.evaluate(item)? {
                        evaluated.push(item);
                    }
                }
                Ok(Some(Value::Array(evaluated)))
            }
            Value::Object(object) => {
                if let Some((name, argument)) = single_intrinsic(object) {
                    return self.function(name, argument);
                }
                let mut evaluated = Map::new();
                for (key, item) in object {
                    if let Some(item) = self.evaluate(item)? {
                        evaluated.insert(key.clone(), item);
                    }
                }
                Ok(Some(Value::Object(evaluated)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    /// Like [`Self::evaluate`], where `AWS::NoValue` is not a value.
    pub fn evaluate_value(&self, value: &Value) -> Result<Value, Unevaluable> {
        match self.evaluate(value)? {
            Some(value) => Ok(value),
            None => unevaluable("AWS::NoValue where a value is needed"),
        }
    }

    fn function(&self, name: &str, argument: &Value) -> Result<Option<Value>, Unevaluable> {
        let value = match name {
            "Ref" => {
                let Value::String(target) = argument else {
                    return unevaluable("`Ref` takes the name of a parameter or resource");
                };
                if target == "AWS::NoValue" {
                    return Ok(None);
                }
                self.reference(target)?
            }
            "Condition" => Value::Bool(self.condition_named(&self.string(argument)?, 0)?),
            "Fn::If" => {
                let [condition, when_true, when_false] = self.arguments::<3>(name, argument)?;
                let Value::String(condition) = condition else {
                    return unevaluable("`Fn::If` names a condition first");
                };
                let chosen = if self.condition_named(condition, 0)? {
                    when_true
                } else {
                    when_false
                };
                return self.evaluate(chosen);
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut one = Map::new();
                one.insert(name.to_owned(), argument.clone());
                Value::Bool(self.condition_value(&Value::Object(one), 0)?)
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = match self.evaluate_value(argument)? {
                    Value::Array(parts) if parts.len() == 2 => {
                        (self.string(&parts[0])?, self.string(&parts[1])?)
                    }
                    Value::String(text) => match text.split_once('.') {
                        Some((resource, attribute)) => (resource.to_owned(), attribute.to_owned()),
                        None => {
                            return unevaluable(format!("`Fn::GetAtt {text}` names no attribute"));
                        }
                    },
                    _ => return unevaluable("`Fn::GetAtt` takes [resource, attribute]"),
                };
                self.attribute(&resource, &attribute)?
            }
            "Fn::Sub" => Value::String(self.substitute(argument)?),
            "Fn::Join" => {
                let [delimiter, items] = self.arguments::<2>(name, argument)?;
                let delimiter = self.string(delimiter)?;
                let items = self.list(items)?;
                let parts: Vec<String> = items
                    .iter()
                    .map(|item| self.string(item))
                    .collect::<Result<_, _>>()?;
                Value::String(parts.join(&delimiter))
            }
            "Fn::Select" => {
                let [index, items] = self.arguments::<2>(name, argument)?;
                let index = match self.evaluate_value(index)? {
                    Value::Number(number) => number.as_u64(),
                    Value::String(text) => text.trim().parse().ok(),
                    _ => None,
                };
                let items = self.list(items)?;
                let Some(index) = index else {
                    return unevaluable("`Fn::Select` takes a number as its index");
                };
                match usize::try_from(index)
                    .ok()
                    .and_then(|index| items.get(index))
                {
                    Some(item) => item.clone(),
                    None => {
                        return unevaluable(format!(
                            "`Fn::Select` index {index} is past the list's {} items",
                            items.len()
                        ));
                    }
                }
            }
            "Fn::Split" => {
                let [delimiter, text] = self.arguments::<2>(name, argument)?;
                let delimiter = self.string(delimiter)?;
                let text = self.string(text)?;
                Value::Array(
                    text.split(delimiter.as_str())
                        .map(|part| Value::String(part.to_owned()))
                        .collect(),
                )
            }
            "Fn::FindInMap" => {
                let [map, top, second] = self.arguments::<3>(name, argument)?;
                let (map, top, second) =
                    (self.string(map)?, self.string(top)?, self.string(second)?);
                match self
                    .mappings
                    .get(&map)
                    .and_then(|entries| entries.get(&top))
                    .and_then(|entries| entries.get(&second))
                {
                    Some(found) => found.clone(),
                    None => {
                        return unevaluable(format!(
                            "mapping `{map}` has no `{second}` under `{top}`"
                        ));
                    }
                }
            }
            "Fn::Base64" => Value::String(
                base64::engine::general_purpose::STANDARD.encode(self.string(argument)?),
            ),
            "Fn::Length" => Value::from(self.list(argument)?.len()),
            "Fn::ToJsonString" => Value::String(self.evaluate_value(argument)?.to_string()),
            "Fn::Cidr" => {
                let [block, count, bits] = self.arguments::<3>(name, argument)?;
                cidr(
                    &self.string(block)?,
                    &self.string(count)?,
                    &self.string(bits)?,
                )?
            }
            "Fn::ImportValue" => {
                return unevaluable(
                    "`Fn::ImportValue` reads an export of another CloudFormation stack, which exists only on AWS",
                );
            }
            "Fn::GetAZs" => {
                return unevaluable(
                    "`Fn::GetAZs` lists the Availability Zones of an AWS account; there are none locally",
                );
            }
            "Fn::Transform" => {
                return unevaluable(
                    "`Fn::Transform` runs a CloudFormation macro, which exists only on AWS",
                );
            }
            other => {
                return unevaluable(format!(
                    "`{other}` is not an intrinsic function lambdesk knows"
                ));
            }
        };
        Ok(Some(value))
    }

    fn arguments<'a, const N: usize>(
        &self,
        name: &str,
        argument: &'a Value,
    ) -> Result<[&'a Value; N], Unevaluable> {
        match argument {
            Value::Array(items) if items.len() == N => {
                let mut refs = [&Value::Null; N];
                for (slot, item) in refs.iter_mut().zip(items) {
                    *slot = item;
                }
                Ok(refs)
            }
            _ => unevaluable(format!("`{name}` takes a list of {N} values")),
        }
    }

    /// A value that must come out as a string (numbers and booleans are written as text,
    /// as CloudFormation does).
    pub fn string(&self, value: &Value) -> Result<String, Unevaluable> {
        match self.evaluate_value(value)? {
            Value::String(text) => Ok(text),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            other => unevaluable(format!("`{other}` is not a string")),
        }
    }

    fn list(&self, value: &Value) -> Result<Vec<Value>, Unevaluable> {
        match self.evaluate_value(value)? {
            Value::Array(items) => Ok(items),
            other => unevaluable(format!("`{other}` is not a list")),
        }
    }

    fn reference(&self, target: &str) -> Result<Value, Unevaluable> {
        if let Some(value) = self.parameters.get(target) {
            return value.clone();
        }
        if let Some(value) = self.pseudo.value(target) {
            return Ok(value);
        }
        if let Some(resource) = self.resources.get(target) {
            return resource.reference.clone();
        }
        unevaluable(format!(
            "`Ref {target}`: the template has no parameter or resource `{target}`"
        ))
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<Value, Unevaluable> {
        match self.resources.get(resource) {
            Some(values) => match values.attributes.get(attribute) {
                Some(value) => Ok(value.clone()),
                None => unevaluable(format!(
                    "`{resource}.{attribute}` is known only once AWS creates the resource"
                )),
            },
            None => unevaluable(format!(
                "`Fn::GetAtt`: the template has no resource `{resource}`"
            )),
        }
    }

    /// `Fn::Sub`: `"text ${Name} ${Resource.Attr} ${!Literal}"`, or `[text, {Name: value}]`.
    fn substitute(&self, argument: &Value) -> Result<String, Unevaluable> {
        let (text, variables) = match argument {
            Value::String(text) => (text.as_str(), Map::new()),
            Value::Array(items) if items.len() == 2 => {
                let Value::String(text) = &items[0] else {
                    return unevaluable("`Fn::Sub` takes a string first");
                };
                let Value::Object(variables) = &items[1] else {
                    return unevaluable("`Fn::Sub` takes a map of variables second");
                };
                (text.as_str(), variables.clone())
            }
            _ => return unevaluable("`Fn::Sub` takes a string, or [string, variables]"),
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let name = name.trim();
                let value = match variables.get(name) {
                    Some(value) => self.string(value)?,
                    None => match name.split_once('.') {
                        Some((resource, attribute)) if !name.starts_with("AWS::") => {
                            value_text(self.attribute(resource, attribute)?)?
                        }
                        _ => value_text(self.reference(name)?)?,
                    },
                };
                out.push_str(&value);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Whether the condition called `name` holds.
    pub fn condition_named(&self, name: &str, depth: usize) -> Result<bool, Unevaluable> {
        if depth > MAX_CONDITION_DEPTH {
            return unevaluable(format!("condition `{name}` refers back to itself"));
        }
        match self.conditions.get(name) {
            Some(definition) => self.condition_value(definition, depth + 1),
            None => unevaluable(format!("the template has no condition `{name}`")),
        }
    }

    fn condition_value(&self, value: &Value, depth: usize) -> Result<bool, Unevaluable> {
        let Value::Object(object) = value else {
            return match value {
                Value::Bool(flag) => Ok(*flag),
                Value::String(text) if text == "true" || text == "false" => Ok(text == "true"),
                _ => unevaluable(format!("`{value}` is not a condition")),
            };
        };
        let Some((name, argument)) = single_intrinsic(object) else {
            return unevaluable(format!("`{value}` is not a condition"));
        };
        let operands = || match argument {
            Value::Array(items) => Ok(items.as_slice()),
            _ => unevaluable(format!("`{name}` takes a list")),
        };
        match name {
            "Condition" => self.condition_named(&self.string(argument)?, depth + 1),
            "Fn::Equals" => {
                let [left, right] = self.arguments::<2>(name, argument)?;
                Ok(equals_text(&self.evaluate_value(left)?)
                    == equals_text(&self.evaluate_value(right)?))
            }
            "Fn::Not" => match operands()? {
                [only] => Ok(!self.condition_value(only, depth + 1)?),
                _ => unevaluable("`Fn::Not` takes one condition"),
            },
            "Fn::And" => {
                for operand in operands()? {
                    if !self.condition_value(operand, depth + 1)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            "Fn::Or" => {
                for operand in operands()? {
                    if self.condition_value(operand, depth + 1)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => match self.evaluate_value(value)? {
                Value::Bool(flag) => Ok(flag),
                other => unevaluable(format!("`{other}` is not a condition")),
            },
        }
    }
}

/// `{"Fn::X": argument}` or `{"Ref": …}` / `{"Condition": …}`: an intrinsic function.
fn single_intrinsic(object: &Map<String, Value>) -> Option<(&str, &Value)> {
    if object.len() != 1 {
        return None;
    }
    let (name, argument) = object.iter().next()?;
    (name == "Ref" || name == "Condition" || name.starts_with("Fn::"))
        .then_some((name.as_str(), argument))
}

/// What `Fn::Equals` compares: CloudFormation compares the values as text.
fn equals_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn value_text(value: Value) -> Result<String, Unevaluable> {
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Array(items) => unevaluable(format!(
            "a list ({} items) cannot be substituted into text",
            items.len()
        )),
        other => Ok(other.to_string()),
    }
}

/// `Fn::Cidr [block, count, bits]`: `count` consecutive IPv4 subnets of `32 - bits`
/// prefix bits from the start of `block`.
fn cidr(block: &str, count: &str, bits: &str) -> Result<Value, Unevaluable> {
    let bad = || {
        Unevaluable(format!(
            "`Fn::Cidr` cannot split `{block}` into {count} subnets of {bits} host bits"
        ))
    };
    let (address, prefix) = block.split_once('/').ok_or_else(bad)?;
    let address: Ipv4Addr = address.parse().map_err(|_| bad())?;
    let prefix: u32 = prefix.parse().map_err(|_| bad())?;
    let count: u32 = count.parse().map_err(|_| bad())?;
    let bits: u32 = bits.parse().map_err(|_| bad())?;
    let subnet_prefix = 32u32.checked_sub(bits).ok_or_else(bad)?;
    if prefix > 32 || subnet_prefix < prefix || count == 0 || count > 256 {
        return Err(bad());
    }
    let available = 1u64 << (subnet_prefix - prefix);
    if u64::from(count) > available {
        return Err(bad());
    }
    let network_mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let start = u32::from(address) & network_mask;
    let step = 1u64 << bits;
    Ok(Value::Array(
        (0..u64::from(count))
            .map(|index| {
                let offset = u32::try_from(index * step).unwrap_or(u32::MAX);
                Value::String(format!(
                    "{}/{subnet_prefix}",
                    Ipv4Addr::from(start.wrapping_add(offset))
                ))
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intrinsics() -> Intrinsics {
        let Value::Object(mappings) =
            json!({"Sizes": {"prod": {"Memory": 1024}, "dev": {"Memory": 256}}})
        else {
            unreachable!()
        };
        let Value::Object(conditions) = json!({
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]},
            "Loop": {"Condition": "Loop"},
        }) else {
            unreachable!()
        };
        let mut resources = BTreeMap::new();
        resources.insert(
            "Orders".to_owned(),
            ResourceValues {
                reference: Ok(json!(
                    "https://sqs.eu-west-1.amazonaws.com/000000000000/orders"
                )),
                attributes: [(
                    "Arn".to_owned(),
                    json!("arn:aws:sqs:eu-west-1:000000000000:orders"),
                )]
                .into(),
            },
        );
        Intrinsics {
            pseudo: Pseudo {
                region: "eu-west-1".into(),
                account_id: "000000000000".into(),
                stack_name: "shop".into(),
            },
            parameters: [
                ("Env".to_owned(), Ok(json!("dev"))),
                ("Zones".to_owned(), Ok(json!(["a", "b"]))),
                ("Secret".to_owned(), Err(Unevaluable("no value".into()))),
            ]
            .into(),
            mappings,
            conditions,
            resources,
        }
    }

    fn eval(value: &Value) -> Result<Option<Value>, Unevaluable> {
        intrinsics().evaluate(value)
    }

    #[test]
    fn parameters_pseudo_parameters_mappings_and_conditions() {
        assert_eq!(eval(&json!({"Ref": "Env"})).unwrap(), Some(json!("dev")));
        assert_eq!(
            eval(&json!({"Ref": "AWS::Partition"})).unwrap(),
            Some(json!("aws"))
        );
        assert_eq!(
            eval(&json!({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]})).unwrap(),
            Some(json!(256))
        );
        assert_eq!(
            eval(&json!({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]})).unwrap(),
            None
        );
        assert_eq!(
            eval(&json!({"Fn::If": ["NotProd", 1, 2]})).unwrap(),
            Some(json!(1))
        );
        assert_eq!(
            eval(&json!({"Condition": "Both"})).unwrap(),
            Some(json!(false))
        );
        assert!(
            eval(&json!({"Condition": "Loop"}))
                .unwrap_err()
                .0
                .contains("refers back")
        );
        assert_eq!(
            eval(&json!({"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}]}))
                .unwrap(),
            Some(json!({"B": [1]}))
        );
    }

    #[test]
    fn sub_join_select_split_base64_and_cidr() {
        assert_eq!(
            eval(&json!({"Fn::Sub": "${AWS::StackName}-${Env}-${Orders.Arn}-${!Literal}"}))
                .unwrap(),
            Some(json!(
                "shop-dev-arn:aws:sqs:eu-west-1:000000000000:orders-${Literal}"
            ))
        );
        assert_eq!(
            eval(&json!({"Fn::Sub": ["${Name}.${AWS::URLSuffix}", {"Name": {"Ref": "Env"}}]}))
                .unwrap(),
            Some(json!("dev.amazonaws.com"))
        );
        assert_eq!(
            eval(&json!({"Fn::Join": ["/", [{"Ref": "Env"}, "x", 3]]})).unwrap(),
            Some(json!("dev/x/3"))
        );
        assert_eq!(
            eval(&json!({"Fn::Select": ["1", {"Fn::Split": [",", "a,b,c"]}]})).unwrap(),
            Some(json!("b"))
        );
        assert_eq!(
            eval(&json!({"Fn::Select": [1, {"Ref": "Zones"}]})).unwrap(),
            Some(json!("b"))
        );
        assert_eq!(
            eval(&json!({"Fn::Base64": "hi"})).unwrap(),
            Some(json!("aGk="))
        );
        assert_eq!(
            eval(&json!({"Fn::Cidr": ["10.0.0.0/16", 3, 8]})).unwrap(),
            Some(json!(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]))
        );
    }

    #[test]
    fn what_only_aws_knows_says_why() {
        let reason = |value: Value| eval(&value).unwrap_err().0;
        assert!(
            reason(json!({"Fn::ImportValue": "Shared"})).contains("another CloudFormation stack")
        );
        assert!(
            reason(json!({"Fn::GetAtt": ["Orders", "QueueUrlX"]}))
                .contains("only once AWS creates")
        );
        assert!(reason(json!({"Ref": "Missing"})).contains("no parameter or resource `Missing`"));
        assert_eq!(reason(json!({"Ref": "Secret"})), "no value");
        assert!(reason(json!({"Fn::GetAZs": ""})).contains("Availability Zones"));
    }
}
