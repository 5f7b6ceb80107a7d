use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::function_config::Architecture;
use super::messaging_config::{QueueConfig, TopicConfig};

/// `lambdesk.toml` at the root of a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Reported to functions as `AWS_REGION` and used in ARNs.
    #[serde(default = "default_region")]
    pub region: String,
    /// The architecture of functions that do not name one.
    #[serde(default)]
    pub architecture: Architecture,
    /// The port of the local HTTP gateway on 127.0.0.1.
    #[serde(default = "default_gateway_port")]
    pub gateway_port: u16,
    /// Waits before the retries of a failed asynchronous invocation, in seconds; Lambda
    /// waits 1 and 2 minutes (the default). Shorter delays make trying out retries quick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_retry_delays_secs: Option<Vec<f64>>,
    /// Prices that differ from `assets/pricing.toml` (another region, a negotiated rate).
    #[serde(default, skip_serializing_if = "PricingOverrides::is_empty")]
    pub pricing: PricingOverrides,
    /// `[queues.<name>]`: queues with SQS semantics.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub queues: BTreeMap<String, QueueConfig>,
    /// `[topics.<name>]`: topics with SNS fan-out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub topics: BTreeMap<String, TopicConfig>,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}
fn default_gateway_port() -> u16 {
    3000
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        Self {
            region: default_region(),
            architecture: Architecture::default(),
            gateway_port: default_gateway_port(),
            async_retry_delays_secs: None,
            pricing: PricingOverrides::default(),
            queues: BTreeMap::new(),
            topics: BTreeMap::new(),
        }
    }
}

/// `[pricing]` in `lambdesk.toml`: each key replaces one figure of the built-in price list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_price_per_million_usd: Option<f64>,
    /// First-tier duration price for x86_64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x86_64_price_per_gb_second_usd: Option<f64>,
    /// First-tier duration price for arm64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arm64_price_per_gb_second_usd: Option<f64>,
}

impl PricingOverrides {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_means_the_defaults() {
        let config: WorkspaceConfig = toml::from_str("").unwrap();
        assert_eq!(config, WorkspaceConfig::default());
        assert_eq!(config.gateway_port, 3000);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<WorkspaceConfig>("regoin = \"eu-west-1\"").is_err());
        assert!(toml::from_str::<WorkspaceConfig>("[pricing]\nfoo = 1.0").is_err());
    }
}
