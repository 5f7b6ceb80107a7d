//! `lambdesk bucket create|list`: the workspace's buckets, each the folder
//! `buckets/<name>/`.

use std::process::ExitCode;

use lambdesk::model::Workspace;

#[derive(Debug, clap::Subcommand)]
pub enum BucketCommand {
    /// Create a bucket: the folder buckets/<name>/ (S3's naming rules).
    Create { bucket: String },
    /// The buckets with their objects, size, and the functions they trigger.
    List,
}

pub fn run(workspace: &Workspace, command: &BucketCommand) -> anyhow::Result<ExitCode> {
    match command {
        BucketCommand::Create { bucket } => {
            let dir = workspace.create_bucket(bucket)?;
            outln!("created bucket {bucket} at {}", dir.display());
        }
        BucketCommand::List => {
            let buckets = workspace.bucket_summaries()?;
            if buckets.is_empty() {
                outln!("no buckets: create one with `lambdesk bucket create NAME`");
                return Ok(ExitCode::SUCCESS);
            }
            outln!(
                "{:<32} {:>8} {:>12}  TRIGGERS",
                "BUCKET",
                "OBJECTS",
                "BYTES"
            );
            for bucket in buckets {
                let triggers = if bucket.triggers.is_empty() {
                    "-".to_owned()
                } else {
                    bucket.triggers.join(", ")
                };
                let missing = if bucket.exists {
                    ""
                } else {
                    " (no folder yet)"
                };
                outln!(
                    "{:<32} {:>8} {:>12}  {triggers}{missing}",
                    bucket.name,
                    bucket.objects,
                    bucket.bytes
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
