//! The S3 object store against moto through the real SDK: the same contract as the folder store.

use shared::{s3_client, ObjectStore, PutOptions, S3Store, StoreError};
use tests::*;

#[tokio::test]
async fn s3_store_keeps_the_object_store_contract() -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let s3 = s3_client(&sdk);
    let bucket = unique("store");
    s3.create_bucket().bucket(&bucket).send().await?;
    let store = S3Store::new(s3.clone(), &bucket);
    let key = "Trips/Rome 2024/a+b ü.jpg";

    assert!(store.get(key, 1 << 20).await?.is_none(), "missing is None, not an error");
    assert!(store.head(key).await?.is_none());
    store.delete(key).await?; // deleting a missing object succeeds

    store.put(key, vec![7u8; 2048].into(), &PutOptions::immutable_jpeg()).await?;
    store.put("Trips/other.json", b"{}".to_vec().into(), &PutOptions::json()).await?;
    let head = store.head(key).await?.expect("exists");
    assert_eq!((head.size, head.etag.len()), (2048, 32), "size and unquoted MD5 ETag");
    let got = store.get(key, 4096).await?.expect("exists");
    assert_eq!(got.body.len(), 2048);
    assert_eq!(got.info.etag, shared::store::md5_etag(&got.body));

    let err = store.get(key, 1024).await.expect_err("over the limit");
    assert!(matches!(err, StoreError::TooLarge { size: 2048, limit: 1024, .. }), "{err}");

    let raw = s3.head_object().bucket(&bucket).key("Trips/other.json").send().await?;
    assert_eq!(raw.content_type(), Some("application/json"));
    assert_eq!(raw.cache_control(), Some("no-cache"));

    let listed: Vec<String> = store.list("Trips/Rome").await?.into_iter().map(|o| o.key).collect();
    assert_eq!(listed, vec![key.to_owned()]);
    store.delete(key).await?;
    assert!(store.head(key).await?.is_none());
    Ok(())
}
