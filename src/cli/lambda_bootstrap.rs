//! `lambdesk lambda-bootstrap`: lambdesk as a Lambda custom runtime's `bootstrap`
//! (`lambdesk export` ships it so for WebAssembly functions).

use std::process::ExitCode;

use lambdesk::lambda_bootstrap::{BootstrapSettings, run};

pub async fn run_bootstrap() -> anyhow::Result<ExitCode> {
    let settings = BootstrapSettings::from_environment()?;
    run(&settings).await?;
    Ok(ExitCode::SUCCESS)
}
