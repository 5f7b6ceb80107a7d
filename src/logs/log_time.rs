//! A log line's time in its file: RFC 3339 in UTC, written exactly as chrono's own serde
//! support writes it (`2026-11-26T23:14:24.123456789Z`, with 0, 3, 6 or 9 fraction
//! digits), but without going through `Display`, which was a sizeable part of writing
//! each invocation's log under HTTP load.

use chrono::{DateTime, Datelike as _, Timelike as _, Utc};
use serde::{Deserialize as _, Deserializer, Serializer};

pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    match fast_rfc3339(time) {
        Some(text) => serializer.serialize_str(text.as_str()),
        // Years outside 0..=9999 and leap seconds: chrono's own, slower, formatting.
        None => {
            serializer.serialize_str(&time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    DateTime::<Utc>::deserialize(deserializer)
}

/// Up to `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, on the stack.
struct TimeText {
    bytes: [u8; 30],
    length: usize,
}

impl TimeText {
    fn push(&mut self, byte: u8) {
        self.bytes[self.length] = byte;
        self.length += 1;
    }

    fn push_digits(&mut self, value: u32, digits: u32) {
        for place in (0..digits).rev() {
            let digit = (value / 10_u32.pow(place)) % 10;
            // A digit is below 10: the cast cannot truncate.
            self.push(b'0' + u8::try_from(digit).unwrap_or(0));
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators were pushed.
        std::str::from_utf8(&self.bytes[..self.length]).unwrap_or_default()
    }
}

/// The time as chrono's `SecondsFormat::AutoSi` with `Z` writes it; `None` when it
/// needs more than this fast form (a year outside 0..=9999, a leap second).
fn fast_rfc3339(time: &DateTime<Utc>) -> Option<TimeText> {
    let year = u32::try_from(time.year())
        .ok()
        .filter(|year| *year <= 9999)?;
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = TimeText {
        bytes: [0; 30],
        length: 0,
    };
    text.push_digits(year, 4);
    for (separator, value) in [
        (b'-', time.month()),
        (b'-', time.day()),
        (b'T', time.hour()),
        (b':', time.minute()),
        (b':', time.second()),
    ] {
        text.push(separator);
        text.push_digits(value, 2);
    }
    let (fraction, digits) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    if digits > 0 {
        text.push(b'.');
        text.push_digits(fraction, digits);
    }
    text.push(b'Z');
    Some(text)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn writes_what_chronos_serde_writes() {
        let second = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        for nanos in [
            0,
            7_000_000,
            120_000_000,
            5_000,
            123_456_000,
            1,
            123_456_789,
        ] {
            let time = second + chrono::TimeDelta::nanoseconds(nanos);
            let fast = fast_rfc3339(&time).unwrap();
            let chronos = serde_json::to_string(&time).unwrap();
            assert_eq!(format!("\"{}\"", fast.as_str()), chronos, "{nanos} ns");
        }
    }

    #[test]
    fn what_it_writes_reads_back() {
        let time = Utc::now();
        let text = serde_json::to_string(&fast_rfc3339(&time).unwrap().as_str()).unwrap();
        let back: DateTime<Utc> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, time);
    }

    #[test]
    fn years_it_cannot_write_fall_back_to_chrono() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 1, 0, 0, 0).unwrap();
        assert!(fast_rfc3339(&far).is_none());
    }
}
