//! The names of AWS Regions, for `region` in `lambdesk.toml`: functions see it as
//! `AWS_REGION` and in ARNs, so it must be one a function could really run in.

/// The Regions of the commercial partition, AWS GovCloud (US), China and the AWS European
/// Sovereign Cloud, as the AWS SDKs list them. A new Region is added here when AWS opens it.
pub const AWS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    // AWS GovCloud (US)
    "us-gov-east-1",
    "us-gov-west-1",
    // China
    "cn-north-1",
    "cn-northwest-1",
    // AWS European Sovereign Cloud
    "eusc-de-east-1",
];

/// How different (in edits) a misspelling may be for the closest Region to be suggested.
const MAX_SUGGESTION_DISTANCE: usize = 3;

/// Accepts an AWS Region name; otherwise says so, suggesting the closest Region when the
/// name looks like a misspelling of one.
pub fn check_region(name: &str) -> Result<(), String> {
    if AWS_REGIONS.contains(&name) {
        return Ok(());
    }
    let closest = AWS_REGIONS
        .iter()
        .map(|region| {
            (
                strsim::levenshtein(&name.to_ascii_lowercase(), region),
                region,
            )
        })
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, _)| *distance <= MAX_SUGGESTION_DISTANCE);
    Err(match closest {
        Some((_, region)) => format!(
            "`{name}` is not an AWS Region; did you mean `{region}`? (Regions look like `us-east-1` or `eu-central-2`)"
        ),
        None => format!(
            "`{name}` is not an AWS Region: use a Region name such as `us-east-1` or `eu-central-2`"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_regions_are_accepted() {
        for region in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-7",
            "mx-central-1",
            "us-gov-west-1",
            "cn-northwest-1",
        ] {
            assert_eq!(check_region(region), Ok(()), "{region}");
        }
    }

    #[test]
    fn a_misspelt_region_gets_a_suggestion() {
        assert_eq!(
            check_region("us-east1"),
            Err("`us-east1` is not an AWS Region; did you mean `us-east-1`? (Regions look like `us-east-1` or `eu-central-2`)".to_owned())
        );
        assert!(
            check_region("EU-WEST-1")
                .unwrap_err()
                .contains("did you mean `eu-west-1`")
        );
        assert!(
            check_region("eu-centrl-1")
                .unwrap_err()
                .contains("did you mean `eu-central-1`")
        );
    }

    #[test]
    fn a_name_far_from_any_region_gets_no_guess() {
        assert_eq!(
            check_region("Frankfurt"),
            Err("`Frankfurt` is not an AWS Region: use a Region name such as `us-east-1` or `eu-central-2`".to_owned())
        );
        assert!(check_region("").is_err());
    }
}
