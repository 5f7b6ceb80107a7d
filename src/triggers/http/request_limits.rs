//! What the gateway refuses before a function runs: API Gateway's size limits, clients
//! too slow to send their request, and requests addressed to another host name (a page
//! elsewhere reaching local functions through DNS rebinding).

use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::HOST;
use hyper::{Request, Version};

use super::response_mapping::GatewayResponse;

/// API Gateway's limit on the request line and headers together; a larger head is a 431.
pub const MAX_REQUEST_HEAD_BYTES: usize = 10 * 1024;

/// Lambda's limit on a synchronous invocation's payload; a larger request body is a 413.
pub const MAX_BODY_BYTES: usize = crate::runtime::MAX_PAYLOAD_BYTES;

/// How long a client has to send a request's headers, and then its body, before the
/// gateway drops it (hyper's own default for headers).
pub const DEFAULT_CLIENT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The host names the gateway answers to; any port.
const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// `Err` with the answer for a request not addressed to this machine by a local name: a
/// browser page on another site resolving its own name to 127.0.0.1 still sends that
/// name, and gets a 403. HTTP/1.1 requires a Host; HTTP/1.0 may leave it out.
pub fn check_host<B>(request: &Request<B>) -> Result<(), GatewayResponse> {
    // An absolute-form target (`GET http://host/path`) names the host in place of the
    // Host header.
    if let Some(authority) = request.uri().authority() {
        return is_local_authority(authority.as_str().as_bytes())
            .then_some(())
            .ok_or_else(GatewayResponse::foreign_host);
    }
    let mut hosts = request.headers().get_all(HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if request.version() == Version::HTTP_10 => Ok(()),
        (Some(host), None) if is_local_authority(host.as_bytes()) => Ok(()),
        (Some(_), None) => Err(GatewayResponse::foreign_host()),
        // Missing on HTTP/1.1, or given twice: RFC 9112 says 400.
        _ => Err(GatewayResponse::bad_request()),
    }
}

/// Whether `authority` (`host` or `host:port`) names this machine by a local name.
fn is_local_authority(authority: &[u8]) -> bool {
    let host = match authority.iter().rposition(|&byte| byte == b':') {
        // The colon inside `[::1]` is not a port's.
        Some(colon) if !authority.ends_with(b"]") => {
            if !authority[colon + 1..].iter().all(u8::is_ascii_digit) {
                return false;
            }
            &authority[..colon]
        }
        _ => authority,
    };
    LOCAL_HOSTS
        .iter()
        .any(|local| host.eq_ignore_ascii_case(local.as_bytes()))
}

/// A declared `Content-Length` over the limit is refused before any of the body is read.
pub fn check_declared_length(body: &Incoming) -> Result<(), GatewayResponse> {
    // The lower bound is the declared length (0 for a chunked body, which `read_body`
    // limits as it reads).
    let declared_bytes = body.size_hint().lower();
    if declared_bytes > MAX_BODY_BYTES as u64 {
        return Err(GatewayResponse::too_large());
    }
    Ok(())
}

/// The whole body, at most [`MAX_BODY_BYTES`], within `read_timeout`; `Err` with the
/// gateway's answer otherwise (dropping the body then closes the connection's read side).
pub async fn read_body(body: Incoming, read_timeout: Duration) -> Result<Bytes, GatewayResponse> {
    let mut collecting = std::pin::pin!(Limited::new(body, MAX_BODY_BYTES).collect());
    // A body that has already arrived (most of them, and every empty one) is read without
    // arming a timer.
    let first_poll =
        std::future::poll_fn(|context| Poll::Ready(collecting.as_mut().poll(context))).await;
    let collected = match first_poll {
        Poll::Ready(collected) => collected,
        Poll::Pending => tokio::time::timeout(read_timeout, collecting)
            .await
            .map_err(|_| GatewayResponse::client_too_slow())?,
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(GatewayResponse::too_large())
        }
        Err(_) => Err(GatewayResponse::bad_request()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_check(version: Version, target: &str, hosts: &[&str]) -> Option<u16> {
        let mut builder = Request::builder().version(version).uri(target);
        for host in hosts {
            builder = builder.header(HOST, *host);
        }
        let request = builder.body(()).expect("a valid request");
        check_host(&request).err().map(|refused| refused.status)
    }

    #[test]
    fn local_names_with_any_port_are_accepted() {
        for host in [
            "localhost",
            "LocalHost:3000",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:3000",
        ] {
            assert_eq!(host_check(Version::HTTP_11, "/", &[host]), None, "{host}");
        }
    }

    #[test]
    fn other_names_are_403_and_a_missing_host_on_http_1_1_is_400() {
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.2",
            "localhost:x",
            "::1",
            "[::2]:3000",
            "",
        ] {
            assert_eq!(
                host_check(Version::HTTP_11, "/", &[host]),
                Some(403),
                "{host}"
            );
        }
        assert_eq!(
            host_check(Version::HTTP_11, "http://evil.example/", &["localhost"]),
            Some(403)
        );
        assert_eq!(
            host_check(Version::HTTP_11, "http://localhost:3000/", &[]),
            None
        );
        assert_eq!(host_check(Version::HTTP_11, "/", &[]), Some(400));
        assert_eq!(
            host_check(Version::HTTP_11, "/", &["localhost", "localhost"]),
            Some(400)
        );
        assert_eq!(host_check(Version::HTTP_10, "/", &[]), None);
    }
}
