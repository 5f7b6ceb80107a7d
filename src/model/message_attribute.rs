//! Message attributes as SQS and SNS carry them: a data type (`String`, `Number`,
//! `Binary`, `String.Array`, or a custom `String.x`) and a value (base64 for binary).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAttribute {
    pub data_type: String,
    pub value: String,
}

pub type MessageAttributes = BTreeMap<String, MessageAttribute>;

impl MessageAttribute {
    pub fn string(value: &str) -> Self {
        Self {
            data_type: "String".to_owned(),
            value: value.to_owned(),
        }
    }

    pub fn is_binary(&self) -> bool {
        self.data_type == "Binary" || self.data_type.starts_with("Binary.")
    }

    pub fn is_valid_base64(&self) -> bool {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(&self.value)
            .is_ok()
    }
}

/// Reads `name=value` (a String) or `name:Type=value` (`Number`, `Binary` as base64,
/// `String.Array` as a JSON array), as the CLI's `--attr` and the console's form take them.
pub fn parse_attribute(text: &str) -> Result<(String, MessageAttribute), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "`{text}` is not an attribute: write name=value or name:Number=42"
        ));
    };
    let (name, data_type) = key.split_once(':').unwrap_or((key, "String"));
    if name.is_empty() || name.len() > 256 {
        return Err(format!(
            "`{name}` is not an attribute name (1–256 characters)"
        ));
    }
    let base_type = data_type.split('.').next().unwrap_or(data_type);
    match base_type {
        "String" if data_type == "String.Array" => {
            serde_json::from_str::<Vec<serde_json::Value>>(value)
                .map_err(|_| format!("`{value}` is not a JSON array, which String.Array needs"))?;
        }
        "String" => {}
        "Binary" => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(value)
                .map_err(|_| format!("`{value}` is not base64, which {name}:Binary needs"))?;
        }
        "Number" => {
            value
                .parse::<f64>()
                .map_err(|_| format!("`{value}` is not a number, which {name}:Number needs"))?;
        }
        _ => {
            return Err(format!(
                "`{data_type}` is not an attribute type: use String, Number, Binary or String.Array"
            ));
        }
    }
    Ok((
        name.to_owned(),
        MessageAttribute {
            data_type: data_type.to_owned(),
            value: value.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_with_their_types() {
        assert_eq!(
            parse_attribute("kind=order").unwrap(),
            ("kind".to_owned(), MessageAttribute::string("order"))
        );
        let (_, number) = parse_attribute("price:Number=12.5").unwrap();
        assert_eq!(number.data_type, "Number");
        assert!(parse_attribute("price:Number=cheap").is_err());
        assert!(parse_attribute("tags:String.Array=[\"a\",\"b\"]").is_ok());
        assert!(parse_attribute("tags:String.Array=a").is_err());
        assert!(parse_attribute("novalue").is_err());
        assert!(parse_attribute("x:Blob=1").is_err());
        assert!(parse_attribute("photo:Binary=aGVsbG8=").is_ok());
        assert!(parse_attribute("photo:Binary=not base64!").is_err());
    }
}
