//! The site-builder Lambda: configuration, clients, templates and the theme (from the source
//! bucket) once per process, then every invocation goes to [`site_builder::lambda::handle`].

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::{s3_client, sqs_client, S3Store, SiteConfig, SqsSiteQueue};
use site_builder::lambda::{handle, SiteBuilder};
use site_builder::theme::{Theme, THEME_PREFIX};
use site_builder::Renderer;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::logging::init_lambda_logging();
    let config = SiteConfig::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = s3_client(&sdk);
    let upload_hint = format!("aws s3 sync ~/Pictures/Trip \"s3://{}/Trip/\"", config.source_bucket);
    let source = Arc::new(S3Store::new(s3.clone(), config.source_bucket));
    // A theme change takes effect on the next cold start; send {"render":"all"} to apply it.
    let theme = Theme::load(source.as_ref(), THEME_PREFIX).await?;
    let builder = SiteBuilder {
        renderer: Renderer::with_theme(config.title, &theme)?
            .with_originals(config.originals)
            .with_upload_hint(upload_hint),
        source,
        resized: Arc::new(S3Store::new(s3.clone(), config.resized_bucket)),
        web: Arc::new(S3Store::new(s3, config.web_bucket)),
        continuation: config.site_queue_url.map(|url| {
            Arc::new(SqsSiteQueue::new(sqs_client(&sdk), url)) as Arc<dyn site_builder::lambda::Continuation>
        }),
    };
    run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        // The invocation's deadline (milliseconds since the epoch) as an instant of this clock.
        let left = std::time::UNIX_EPOCH + std::time::Duration::from_millis(event.context.deadline);
        let left = left.duration_since(std::time::SystemTime::now()).unwrap_or_default();
        handle(&builder, event.payload, Some(std::time::Instant::now() + left))
    }))
    .await
}
