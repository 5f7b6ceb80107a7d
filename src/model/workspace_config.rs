use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::aws_regions::check_region;
use super::config_error::KeySegment;
use super::function_config::Architecture;
use super::messaging_config::{QueueConfig, TopicConfig, messaging_problems};

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
    /// The port of Lambda's Invoke API on 127.0.0.1 (what `aws lambda invoke` and the
    /// SDKs call with an endpoint URL).
    #[serde(default = "default_lambda_api_port")]
    pub lambda_api_port: u16,
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
fn default_lambda_api_port() -> u16 {
    3001
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        Self {
            region: default_region(),
            architecture: Architecture::default(),
            gateway_port: default_gateway_port(),
            lambda_api_port: default_lambda_api_port(),
            async_retry_delays_secs: None,
            pricing: PricingOverrides::default(),
            queues: BTreeMap::new(),
            topics: BTreeMap::new(),
        }
    }
}

impl WorkspaceConfig {
    /// Checks every value: the region is an AWS Region, prices and retry delays are numbers
    /// of at least 0, queues and topics are as SQS and SNS take them. Each problem comes with
    /// the path of its key, so the caller can point at the line.
    pub fn problems(&self) -> Vec<(Vec<KeySegment>, String)> {
        let mut problems = Vec::new();
        if let Err(message) = check_region(&self.region) {
            problems.push((vec![KeySegment::key("region")], message));
        }
        // Both servers on one port would leave one of them off (0 picks a free port each).
        if self.lambda_api_port != 0 && self.lambda_api_port == self.gateway_port {
            problems.push((
                vec![KeySegment::key("lambda_api_port")],
                format!(
                    "{} is also gateway_port: the HTTP gateway and the Invoke API need a port each",
                    self.lambda_api_port
                ),
            ));
        }
        if let Some(delays) = &self.async_retry_delays_secs {
            for (index, delay_secs) in delays.iter().enumerate() {
                if !is_finite_and_not_negative(*delay_secs) {
                    problems.push((
                        vec![
                            KeySegment::key("async_retry_delays_secs"),
                            KeySegment::Index(index),
                        ],
                        format!(
                            "{delay_secs} s is not a wait: use a number of seconds of 0 or more"
                        ),
                    ));
                }
            }
        }
        for (key, price) in [
            (
                "request_price_per_million_usd",
                self.pricing.request_price_per_million_usd,
            ),
            (
                "x86_64_price_per_gb_second_usd",
                self.pricing.x86_64_price_per_gb_second_usd,
            ),
            (
                "arm64_price_per_gb_second_usd",
                self.pricing.arm64_price_per_gb_second_usd,
            ),
        ] {
            if let Some(price) = price
                && !is_finite_and_not_negative(price)
            {
                problems.push((
                    vec![KeySegment::key("pricing"), KeySegment::key(key)],
                    format!("{price} is not a price: use a number of US dollars of 0 or more"),
                ));
            }
        }
        problems.extend(messaging_problems(&self.queues, &self.topics));
        problems
    }
}

fn is_finite_and_not_negative(value: f64) -> bool {
    value.is_finite() && value >= 0.0
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
        assert_eq!(config.lambda_api_port, 3001);
    }

    fn problem_keys(text: &str) -> Vec<(String, String)> {
        let config: WorkspaceConfig = toml::from_str(text).unwrap();
        config
            .problems()
            .into_iter()
            .map(|(path, message)| {
                let error = super::super::ConfigError::at_key(
                    std::path::Path::new("lambdesk.toml"),
                    text,
                    &path,
                    message,
                );
                (error.key.clone().unwrap_or_default(), error.to_string())
            })
            .collect()
    }

    #[test]
    fn negative_and_nan_prices_are_refused_with_their_key_and_line() {
        let problems = problem_keys(
            "region = \"us-east-1\"\n\n[pricing]\nrequest_price_per_million_usd = -0.2\narm64_price_per_gb_second_usd = nan\n",
        );
        assert_eq!(
            problems,
            vec![
                (
                    "pricing.request_price_per_million_usd".to_owned(),
                    "lambdesk.toml:4: key `pricing.request_price_per_million_usd`: -0.2 is not a price: use a number of US dollars of 0 or more".to_owned()
                ),
                (
                    "pricing.arm64_price_per_gb_second_usd".to_owned(),
                    "lambdesk.toml:5: key `pricing.arm64_price_per_gb_second_usd`: NaN is not a price: use a number of US dollars of 0 or more".to_owned()
                ),
            ]
        );
        assert!(
            problem_keys("[pricing]\nx86_64_price_per_gb_second_usd = inf\n")[0]
                .1
                .contains("inf is not a price")
        );
        assert!(problem_keys("[pricing]\nx86_64_price_per_gb_second_usd = 0.0\n").is_empty());
    }

    #[test]
    fn retry_delays_must_be_waits() {
        let problems = problem_keys("async_retry_delays_secs = [1.0, -5.0, inf]\n");
        let shown: Vec<&str> = problems.iter().map(|(_, shown)| shown.as_str()).collect();
        assert_eq!(
            shown,
            [
                "lambdesk.toml:1: key `async_retry_delays_secs[1]`: -5 s is not a wait: use a number of seconds of 0 or more",
                "lambdesk.toml:1: key `async_retry_delays_secs[2]`: inf s is not a wait: use a number of seconds of 0 or more",
            ]
        );
        assert!(problem_keys("async_retry_delays_secs = [0.0, 0.5]\n").is_empty());
    }

    #[test]
    fn the_region_must_be_an_aws_region() {
        let problems = problem_keys("gateway_port = 3000\nregion = \"eu-centrl-1\"\n");
        assert_eq!(
            problems,
            vec![(
                "region".to_owned(),
                "lambdesk.toml:2: key `region`: `eu-centrl-1` is not an AWS Region; did you mean `eu-central-1`? (Regions look like `us-east-1` or `eu-central-2`)".to_owned()
            )]
        );
        assert!(problem_keys("region = \"ap-southeast-7\"\n").is_empty());
    }

    #[test]
    fn the_invoke_api_needs_a_port_of_its_own() {
        let problems = problem_keys("gateway_port = 4000\nlambda_api_port = 4000\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, "lambda_api_port");
        assert!(
            problems[0].1.starts_with("lambdesk.toml:2:"),
            "{problems:?}"
        );
        assert!(problem_keys("gateway_port = 0\nlambda_api_port = 0\n").is_empty());
        assert!(toml::from_str::<WorkspaceConfig>("lambda_api_port = 70000").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<WorkspaceConfig>("regoin = \"eu-west-1\"").is_err());
        assert!(toml::from_str::<WorkspaceConfig>("[pricing]\nfoo = 1.0").is_err());
    }
}
