//! Logging for the Lambda binaries: JSON lines for CloudWatch, `RUST_LOG` to filter.

/// Installs the JSON log subscriber (level from `RUST_LOG`, `info` by default). CloudWatch
/// timestamps every line, so the lines carry none.
pub fn init_lambda_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .init();
}
