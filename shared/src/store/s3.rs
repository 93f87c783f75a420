//! [`ObjectStore`] over Amazon S3 with the official SDK.

use super::{Object, ObjectInfo, ObjectStore, Precondition, PutOptions, StoreError};
use async_trait::async_trait;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;

/// Builds an S3 client from the shared SDK configuration.
///
/// When an endpoint override is set (`AWS_ENDPOINT_URL`, e.g. a moto server on 127.0.0.1),
/// path-style addressing is used, since bucket names cannot be resolved as subdomains there.
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let builder = aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// One S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Store {
    /// A store for `bucket`, using a client built once per process.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// A GetObject response and what it says of the object, `None` when there is none; refused
    /// past `max_bytes` by its Content-Length, before the body is read.
    async fn open(
        &self,
        key: &str,
        max_bytes: u64,
    ) -> Result<Option<(GetObjectOutput, ObjectInfo)>, StoreError> {
        let out = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(self.err(key, "GetObject", e)),
        };
        let info =
            ObjectInfo { key: key.to_owned(), size: size(out.content_length()), etag: unquote(out.e_tag()) };
        if info.size > max_bytes {
            return Err(StoreError::TooLarge { key: key.to_owned(), size: info.size, limit: max_bytes });
        }
        Ok(Some((out, info)))
    }

    /// A PutObject of `body` at `key` with the object's content type and caching.
    fn put_request(&self, key: &str, body: ByteStream, options: &PutOptions) -> PutObjectFluentBuilder {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body)
            .set_content_type(options.content_type.clone())
            .set_cache_control(options.cache_control.clone())
    }

    fn err<E: std::error::Error>(&self, key: &str, op: &'static str, e: E) -> StoreError {
        StoreError::S3 {
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            op,
            message: DisplayErrorContext(e).to_string(),
        }
    }
}

fn unquote(etag: Option<&str>) -> String {
    etag.unwrap_or_default().trim_matches('"').to_owned()
}

fn size(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

#[async_trait]
impl ObjectStore for S3Store {
    fn location(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => Ok(Some(ObjectInfo {
                key: key.to_owned(),
                size: size(out.content_length()),
                etag: unquote(out.e_tag()),
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(self.err(key, "HeadObject", e)),
        }
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        let Some((out, info)) = self.open(key, max_bytes).await? else { return Ok(None) };
        let body = out.body.collect().await.map_err(|e| self.err(key, "GetObject body", e))?.into_bytes();
        // Content-Length can be absent (chunked responses); the limit still holds.
        if body.len() as u64 > max_bytes {
            return Err(StoreError::TooLarge {
                key: key.to_owned(),
                size: body.len() as u64,
                limit: max_bytes,
            });
        }
        Ok(Some(Object { info: ObjectInfo { size: body.len() as u64, ..info }, body }))
    }

    async fn get_to_file(
        &self,
        key: &str,
        path: &std::path::Path,
        max_bytes: u64,
    ) -> Result<Option<ObjectInfo>, StoreError> {
        use tokio::io::AsyncWriteExt as _;
        let Some((mut out, mut info)) = self.open(key, max_bytes).await? else { return Ok(None) };
        let too_large = |size| StoreError::TooLarge { key: key.to_owned(), size, limit: max_bytes };
        let io = |source| StoreError::Io { key: key.to_owned(), op: "write a scratch copy", source };
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0u64;
        while let Some(chunk) = out.body.next().await {
            let chunk = chunk.map_err(|e| self.err(key, "GetObject body", e))?;
            written += chunk.len() as u64;
            if written > max_bytes {
                return Err(too_large(written));
            }
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        info.size = written;
        Ok(Some(info))
    }

    async fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        options: &PutOptions,
    ) -> Result<(), StoreError> {
        let body = ByteStream::from_path(path)
            .await
            .map_err(|e| self.err(key, "PutObject (reading the file)", e))?;
        self.put_request(key, body, options).send().await.map_err(|e| self.err(key, "PutObject", e))?;
        Ok(())
    }

    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        self.put_request(key, body.into(), options)
            .send()
            .await
            .map_err(|e| self.err(key, "PutObject", e))?;
        Ok(())
    }

    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        let request = self.put_request(key, body.into(), options);
        let request = match precondition {
            Precondition::Absent => request.if_none_match("*"),
            Precondition::Matches(etag) => request.if_match(format!("\"{etag}\"")),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            // 412: not as expected; 409: another conditional write to the key was in flight.
            Err(e) if matches!(e.code(), Some("PreconditionFailed" | "ConditionalRequestConflict")) => {
                Err(StoreError::Conflict { key: key.to_owned() })
            }
            Err(e) => Err(self.err(key, "PutObject", e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.err(key, "DeleteObject", e))?;
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let mut pages =
            self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix).into_paginator().send();
        let mut all = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.err(prefix, "ListObjectsV2", e))?;
            for o in page.contents() {
                if let Some(key) = o.key() {
                    all.push(ObjectInfo {
                        key: key.to_owned(),
                        size: size(o.size()),
                        etag: unquote(o.e_tag()),
                    });
                }
            }
        }
        Ok(all)
    }
}
