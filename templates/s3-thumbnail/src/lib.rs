//! A thumbnail of every picture put into the `photos` bucket: a PNG or JPEG written into
//! `buckets/photos/` gets a copy at most 128 pixels on its long side, in the same format
//! and under the same key, in `buckets/photos-thumbnails/`. Anything else is skipped with
//! a log line. Only `photos` triggers the function, so the thumbnails it writes never
//! invoke it again (no recursive loop).
use std::io::Cursor;
use std::path::{Path, PathBuf};

use aws_lambda_events::event::s3::S3Event;
use image::{ImageFormat, ImageReader};
use lambdesk_lambda::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

/// Where the thumbnails go (`[permissions] buckets` lets the function write there).
const THUMBNAIL_BUCKET: &str = "photos-thumbnails";
/// The longest side of a thumbnail.
const MAX_SIDE_PX: u32 = 128;

/// A bucket's object as the function sees it: bucket folders are mounted at `/buckets`.
fn object_path(bucket: &str, key: &str) -> PathBuf {
    Path::new("/buckets").join(bucket).join(key)
}

/// S3 writes a key into its event form-URL-encoded: "my cat.png" arrives as "my+cat.png".
fn decode_key(key: &str) -> Result<String, Error> {
    let spaced = key.replace('+', " ");
    Ok(percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()?
        .into_owned())
}

async fn function_handler(event: LambdaEvent<S3Event>) -> Result<Value, Error> {
    let mut thumbnails = Vec::new();
    for record in event.payload.records {
        let (Some(bucket), Some(key)) = (record.s3.bucket.name, record.s3.object.key) else {
            continue;
        };
        let key = decode_key(&key)?;
        if bucket == THUMBNAIL_BUCKET {
            eprintln!("skipping {key}: it is a thumbnail already");
            continue;
        }
        let bytes = match std::fs::read(object_path(&bucket, &key)) {
            Ok(bytes) => bytes,
            // The Test tab's sample event names a picture that may not be there yet.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("skipping {key}: not in bucket {bucket} (put a picture there first)");
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        // The content says what the object is, not its name.
        let reader = ImageReader::new(Cursor::new(&bytes)).with_guessed_format()?;
        let format = match reader.format() {
            Some(format @ (ImageFormat::Png | ImageFormat::Jpeg)) => format,
            _ => {
                eprintln!("skipping {key}: not a PNG or JPEG");
                continue;
            }
        };
        let picture = reader.decode()?;
        let thumbnail = picture.thumbnail(MAX_SIDE_PX, MAX_SIDE_PX);
        let target = object_path(THUMBNAIL_BUCKET, &key);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder)?;
        }
        thumbnail.save_with_format(&target, format)?;
        eprintln!(
            "{key}: {}x{} -> {}x{}",
            picture.width(),
            picture.height(),
            thumbnail.width(),
            thumbnail.height()
        );
        thumbnails.push(json!({
            "key": key,
            "width": thumbnail.width(),
            "height": thumbnail.height(),
        }));
    }
    Ok(json!({ "thumbnails": thumbnails }))
}

fn main() -> Result<(), Error> {
    // Code here is Lambda's Init: it runs once per execution environment.
    lambdesk_lambda::run(service_fn(function_handler))
}

lambdesk_lambda::main!(main);
