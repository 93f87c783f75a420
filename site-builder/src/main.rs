//! The site-builder Lambda: configuration, clients and templates once per process, then every
//! invocation goes to [`site_builder::lambda::handle`].

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::{s3_client, S3Store, SiteConfig};
use site_builder::lambda::{handle, SiteBuilder};
use site_builder::Renderer;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::logging::init_lambda_logging();
    let config = SiteConfig::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = s3_client(&sdk);
    let builder = SiteBuilder {
        source: Arc::new(S3Store::new(s3.clone(), config.source_bucket)),
        resized: Arc::new(S3Store::new(s3.clone(), config.resized_bucket)),
        web: Arc::new(S3Store::new(s3, config.web_bucket)),
        renderer: Renderer::new(config.title)?,
    };
    run(service_fn(|event: LambdaEvent<serde_json::Value>| handle(&builder, event.payload))).await
}
