//! Node built-in modules in lambdesk's JS runtime against Node.js, in one run:
//! `cargo bench --bench js_node_builtins`.
//!
//! - CPU-heavy built-ins, warm, in lambdesk and in one long-lived node process:
//!   `crypto.createHash('sha256')` over 10 MB, `zlib.gunzipSync` of a 1 MB payload, and a
//!   CloudWatch Logs subscription event (base64 → gunzip → JSON) of the same payload;
//!   brotli (compress at Node's default quality 11 and at 5, decompress) and zstd
//!   (decompress) of the same payload (Node 20 has no zstd: lambdesk's number alone);
//!   a 2048-bit RSA key pair (`crypto.generateKeyPairSync('rsa')`: a random prime search,
//!   so its p50 over the runs);
//! - the cold start of a handler that requires crypto, zlib, stream, util and events (each
//!   module's code runs on its first require).

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

/// Each handler's input is made at Init, so the handler times the built-in alone.
const SHA256: &str = r#"import { createHash } from "node:crypto";
const data = Buffer.alloc(10 * 1024 * 1024, "lambdesk");
export const handler = async () => createHash("sha256").update(data).digest("hex");
"#;
const PAYLOAD: &str = r#"
const lines = [];
for (let i = 0; lines.join("\n").length < 1024 * 1024; i++) {
  lines.push(JSON.stringify({ id: String(i), timestamp: 1765000000000 + i, message: `request ${i} took ${i % 97} ms` }));
}
const payload = Buffer.from(lines.join("\n").slice(0, 1024 * 1024));
"#;
const GUNZIP_BODY: &str = r#"
const zipped = zlib.gzipSync(payload);
export const handler = async () => zlib.gunzipSync(zipped).length;
"#;
const LOGS_BODY: &str = r#"
const event = { awslogs: { data: zlib.gzipSync(JSON.stringify({ logEvents: payload.toString().split("\n").map((message, i) => ({ id: String(i), message })) })).toString("base64") } };
export const handler = async () => JSON.parse(zlib.gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8")).logEvents.length;
"#;
const BROTLI_11_BODY: &str = r#"
export const handler = async () => zlib.brotliCompressSync(payload).length;
"#;
const BROTLI_5_BODY: &str = r#"
const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 };
export const handler = async () => zlib.brotliCompressSync(payload, { params }).length;
"#;
const UNBROTLI_BODY: &str = r#"
const packed = zlib.brotliCompressSync(payload);
export const handler = async () => zlib.brotliDecompressSync(packed).length;
"#;
const UNZSTD_BODY: &str = r#"
const packed = zlib.zstdCompressSync(payload);
export const handler = async () => zlib.zstdDecompressSync(packed).length;
"#;
const RSA_KEYGEN: &str = r#"import { generateKeyPairSync } from "node:crypto";
export const handler = async () => generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" } }).publicKey.length;
"#;
const MANY_MODULES: &str = r#"const crypto = require("crypto");
const zlib = require("node:zlib");
const { Readable } = require("stream");
const util = require("util");
const EventEmitter = require("events");
exports.handler = async () => [typeof crypto.createHash, typeof zlib.gunzipSync, typeof Readable, typeof util.promisify, typeof EventEmitter];
"#;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let config = FunctionConfig::new(Language::Js, "index.handler");
    let gunzip = format!("import zlib from \"node:zlib\";\n{PAYLOAD}{GUNZIP_BODY}");
    let logs = format!("import zlib from \"node:zlib\";\n{PAYLOAD}{LOGS_BODY}");
    let zlib_handler = |body: &str| format!("import zlib from \"node:zlib\";\n{PAYLOAD}{body}");
    let handlers = [
        (
            "sha256",
            "crypto.createHash('sha256') over 10 MB",
            SHA256.to_owned(),
        ),
        ("gunzip", "zlib.gunzipSync of 1 MB (gzip 1 MB)", gunzip),
        (
            "logs",
            "CloudWatch Logs event, 1 MB: base64+gunzip+JSON",
            logs,
        ),
        (
            "brotli11",
            "zlib.brotliCompressSync of 1 MB, quality 11 (default)",
            zlib_handler(BROTLI_11_BODY),
        ),
        (
            "brotli5",
            "zlib.brotliCompressSync of 1 MB, quality 5",
            zlib_handler(BROTLI_5_BODY),
        ),
        (
            "unbrotli",
            "zlib.brotliDecompressSync of 1 MB",
            zlib_handler(UNBROTLI_BODY),
        ),
        (
            "rsa2048",
            "crypto.generateKeyPairSync('rsa', 2048 bits)",
            RSA_KEYGEN.to_owned(),
        ),
        (
            "unzstd",
            "zlib.zstdDecompressSync of 1 MB",
            zlib_handler(UNZSTD_BODY),
        ),
    ];
    let mut function_config = config.clone();
    function_config.memory_mb = 1024;
    function_config.timeout_secs = 60;
    let cache_dir = dir.path().join("cache");
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir,
        ..RuntimeOptions::default()
    })?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let invoke = |function: &lambdesk::model::Function| -> anyhow::Result<Duration> {
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(&workspace, function, b"{}"))?;
        let elapsed = started.elapsed();
        anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
        Ok(elapsed)
    };

    let node_dir = dir.path().join("node");
    std::fs::create_dir_all(&node_dir)?;
    for (name, what, source) in &handlers {
        let function = workspace.create_function(
            name,
            &function_config,
            &[("index.mjs", source.as_bytes())],
        )?;
        for _ in 0..3 {
            invoke(&function)?;
        }
        let runs: Vec<Duration> = (0..20)
            .map(|_| invoke(&function))
            .collect::<Result<_, _>>()?;
        let ours = report_line(&format!("{what}, lambdesk warm"), runs);
        std::fs::write(node_dir.join(format!("{name}.mjs")), source)?;
        match node_warm_ms(&node_dir, name) {
            Some(node_ms) => println!(
                "{:<60} p50 {node_ms:>8.2} ms   lambdesk/node = {:.1}x",
                format!("{what}, node warm (in-process)"),
                ours.as_secs_f64() * 1000.0 / node_ms
            ),
            None => println!("{what}, node: not measured"),
        }
    }

    let many =
        workspace.create_function("many", &config, &[("index.js", MANY_MODULES.as_bytes())])?;
    let mut cold = Vec::new();
    let mut init_ms = Vec::new();
    for _ in 0..100 {
        runtime.unload("many");
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(&workspace, &many, b"{}"))?;
        cold.push(started.elapsed());
        anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
        init_ms.extend(record.init_duration_ms);
    }
    report_line(
        "cold, handler requiring crypto+zlib+stream+util+events",
        cold,
    );
    init_ms.sort_by(f64::total_cmp);
    println!(
        "{:<60} p50 {:>8.2} ms",
        "  of which Init Duration",
        init_ms[init_ms.len() / 2]
    );
    Ok(())
}

/// The handler's p50 in one node process after warm-up, in milliseconds.
fn node_warm_ms(node_dir: &std::path::Path, name: &str) -> Option<f64> {
    let script = format!(
        "const {{ handler }} = await import('./{name}.mjs'); for (let i = 0; i < 3; i++) await handler(); const t = []; for (let i = 0; i < 20; i++) {{ const s = performance.now(); await handler(); t.push(performance.now() - s); }} t.sort((a, b) => a - b); console.log(t[10]);"
    );
    let output = std::process::Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .current_dir(node_dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

fn report_line(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let percentile = |p: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples[index]
    };
    println!(
        "{name:<60} p50 {:>10.1?}  p99 {:>10.1?}  n={}",
        percentile(0.50),
        percentile(0.99),
        samples.len()
    );
    percentile(0.50)
}
