//! SES receipt rule notifications for incoming mail (Lambda action).
//!
//! Shape: `tests/fixtures/aws-events/ses-lambda-event.json`. The event describes the
//! mail (headers, verdicts), never its body.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, iso8601_millis, random_bytes, random_hex,
    set_if,
};

/// Subject used when the user gives none (AWS's sample subject).
pub const DEFAULT_SUBJECT: &str = "Test Subject";

/// Function the receipt rule invokes when the user names none.
pub const DEFAULT_FUNCTION: &str = "example-function";

/// Verdict of a check SES ran on the mail.
pub const PASS: &str = "PASS";

/// One mail received by SES and handed to a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesReceivedMail {
    /// SES's id of the mail (`mail.messageId`): 40 lower-case letters and digits.
    pub message_id: String,
    /// The `Message-ID` header, with its angle brackets.
    pub header_message_id: String,
    /// The `From` header, e.g. `Sender <sender@example.com>`.
    pub from: String,
    /// Envelope sender (`mail.source`, `returnPath`).
    pub source: String,
    /// Recipients (`To`, `destination`, `receipt.recipients`).
    pub to: Vec<String>,
    /// The `Subject` header.
    pub subject: String,
    /// The `Date` header the sender wrote.
    pub date: DateTime<Utc>,
    /// When SES received the mail (`mail.timestamp`, `receipt.timestamp`).
    pub received_at: DateTime<Utc>,
    /// Address of the sending server (in the `Received` header).
    pub sending_ip: String,
    /// Region of the receipt rule (in the function ARN and `Received`).
    pub region: String,
    /// Account owning the function (in its ARN).
    pub account: String,
    /// Function the rule invokes (in `functionArn`).
    pub function_name: String,
    /// How long SES took to process the mail (`processingTimeMillis`).
    pub processing_time_ms: u64,
    /// `spamVerdict.status`: `PASS`, `FAIL`, `GRAY` or `PROCESSING_FAILED`.
    pub spam_verdict: String,
    /// `virusVerdict.status`.
    pub virus_verdict: String,
    /// `spfVerdict.status`.
    pub spf_verdict: String,
    /// `dkimVerdict.status`.
    pub dkim_verdict: String,
    /// `dmarcVerdict.status`.
    pub dmarc_verdict: String,
    /// `dmarcPolicy` of the sender's domain (`none`, `quarantine`, `reject`);
    /// `None` leaves the field out.
    pub dmarc_policy: Option<String>,
    /// Boundary of the `multipart/alternative` body (in `Content-Type`).
    pub mime_boundary: String,
}

impl SesReceivedMail {
    /// A mail from `from` (an address) to `to` with `subject`, received now,
    /// passing every check.
    pub fn new(from: impl Into<String>, to: impl Into<String>, subject: impl Into<String>) -> Self {
        let source: String = from.into();
        let domain = source
            .rsplit_once('@')
            .map_or("example.com", |(_, domain)| domain)
            .to_owned();
        let received_at = Utc::now();
        Self {
            message_id: random_hex(40),
            header_message_id: format!("<{}@mail.{domain}>", Uuid::new_v4()),
            from: format!("Sender <{source}>"),
            source,
            to: vec![to.into()],
            subject: subject.into(),
            date: received_at,
            received_at,
            sending_ip: "203.0.113.10".to_owned(),
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            function_name: DEFAULT_FUNCTION.to_owned(),
            processing_time_ms: 574,
            spam_verdict: PASS.to_owned(),
            virus_verdict: PASS.to_owned(),
            spf_verdict: PASS.to_owned(),
            dkim_verdict: PASS.to_owned(),
            dmarc_verdict: PASS.to_owned(),
            dmarc_policy: Some("reject".to_owned()),
            mime_boundary: random_hex(28),
        }
    }

    /// The generated `ses` event's mail: `sender@example.com` to
    /// `recipient@example.com`, "Test Subject".
    pub fn sample() -> Self {
        Self::new(
            "sender@example.com",
            "recipient@example.com",
            DEFAULT_SUBJECT,
        )
    }

    /// Applies region, account and subject.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        set_if(&mut self.subject, overrides.subject.as_deref());
        self
    }

    /// `arn:aws:lambda:<region>:<account>:function:<name>`.
    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account, self.function_name
        )
    }

    /// Domain of the envelope sender.
    fn sender_domain(&self) -> &str {
        self.source
            .rsplit_once('@')
            .map_or("example.com", |(_, domain)| domain)
    }

    /// `mail.headers`: the mail's headers in order, as `{name, value}` objects.
    fn headers(&self) -> Vec<Value> {
        let domain = self.sender_domain();
        let date = self.date.format("%a, %-d %b %Y %H:%M:%S %z").to_string();
        let received = format!(
            "from mail.{domain} (mail.{domain} [{ip}]) by inbound-smtp.{region}.amazonaws.com \
             with SMTP id {id} for {to}; {at} (UTC)",
            ip = self.sending_ip,
            region = self.region,
            id = self.message_id,
            to = self.to.join(", "),
            at = self.received_at.format("%a, %d %b %Y %H:%M:%S %z"),
        );
        let dkim = format!(
            "v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=selector1; \
             h=mime-version:from:date:message-id:subject:to; bh={body_hash}; b={signature}",
            body_hash = STANDARD.encode(random_bytes(32)),
            signature = STANDARD.encode(random_bytes(128)),
        );
        let headers = [
            ("Return-Path", format!("<{}>", self.source)),
            ("Received", received),
            ("DKIM-Signature", dkim),
            ("MIME-Version", "1.0".to_owned()),
            ("From", self.from.clone()),
            ("Date", date),
            ("Message-ID", self.header_message_id.clone()),
            ("Subject", self.subject.clone()),
            ("To", self.to.join(", ")),
            (
                "Content-Type",
                format!("multipart/alternative; boundary={}", self.mime_boundary),
            ),
        ];
        headers
            .into_iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect()
    }

    /// The notification: `{"Records": [record]}`.
    pub fn event(&self) -> Value {
        json!({ "Records": [self.record()] })
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        let mut receipt = json!({
            "recipients": self.to,
            "timestamp": iso8601_millis(self.received_at),
            "spamVerdict": { "status": self.spam_verdict },
            "dkimVerdict": { "status": self.dkim_verdict },
            "dmarcVerdict": { "status": self.dmarc_verdict },
            "dmarcPolicy": self.dmarc_policy,
            "processingTimeMillis": self.processing_time_ms,
            "action": {
                "type": "Lambda",
                "invocationType": "Event",
                "functionArn": self.function_arn()
            },
            "spfVerdict": { "status": self.spf_verdict },
            "virusVerdict": { "status": self.virus_verdict }
        });
        // AWS sends `dmarcPolicy` only when it knows the sender domain's policy.
        if self.dmarc_policy.is_none()
            && let Some(fields) = receipt.as_object_mut()
        {
            fields.remove("dmarcPolicy");
        }
        json!({
            "eventVersion": "1.0",
            "ses": {
                "mail": {
                    "commonHeaders": {
                        "from": [self.from],
                        "to": self.to,
                        "returnPath": self.source,
                        "messageId": self.header_message_id,
                        "date": self.date.format("%a, %-d %b %Y %H:%M:%S %z").to_string(),
                        "subject": self.subject
                    },
                    "source": self.source,
                    "timestamp": iso8601_millis(self.received_at),
                    "destination": self.to,
                    "headers": self.headers(),
                    "headersTruncated": false,
                    "messageId": self.message_id
                },
                "receipt": receipt
            },
            "eventSource": "aws:ses"
        })
    }
}
