//! Who is on the other end of the connection (server only): the client's address, as the
//! sign-in throttle counts it. Behind a reverse proxy the peer is the proxy, so the address is
//! taken from `X-Forwarded-For` — but only when the peer is a proxy the operator configured as
//! trusted (`ATELIER_TRUSTED_PROXIES`); anyone else could write any address into that header.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The client's address, put into every request's extensions by [`identify_client`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(Arc::new(nets))
    }

    /// Parses a comma-separated list of addresses and networks (`10.0.0.1, 192.168.0.0/16`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an address or network"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies::new(nets))
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy; then the
    /// right-most `X-Forwarded-For` entry that is not a trusted proxy (entries further left were
    /// written by the client and prove nothing). Unparsable entries end the walk.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        // A header longer than any real chain of proxies is not walked to its end.
        for hop in hops.iter().rev().take(16) {
            match hop.parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr;
                    if !self.trusts(addr) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// Middleware for every route: records the [`ClientAddr`] of the request. Without connection
/// information (a router served without it) every request counts as one unknown address.
pub async fn identify_client(State(proxies): State<TrustedProxies>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let client = proxies.client_of(peer, req.headers());
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().expect("header"));
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.1").expect("list");
        assert_eq!(proxies.client_of(ip("203.0.113.5"), &forwarded("198.51.100.1")), ip("203.0.113.5"));
        assert_eq!(TrustedProxies::default().client_of(ip("10.0.0.1"), &forwarded("1.2.3.4")), ip("10.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(" 10.0.0.0/8 , 192.168.1.1").expect("list");
        // The client wrote 6.6.6.6 itself; the first proxy saw 198.51.100.1.
        let chain = forwarded("6.6.6.6, 198.51.100.1, 10.1.2.3");
        assert_eq!(proxies.client_of(ip("192.168.1.1"), &chain), ip("198.51.100.1"));
        // All hops trusted: the left-most one is the best we know.
        assert_eq!(proxies.client_of(ip("10.0.0.9"), &forwarded("10.0.0.7")), ip("10.0.0.7"));
        // No header: the proxy itself.
        assert_eq!(proxies.client_of(ip("10.0.0.9"), &HeaderMap::new()), ip("10.0.0.9"));
        // Garbage stops the walk at the last good hop.
        assert_eq!(proxies.client_of(ip("10.0.0.9"), &forwarded("junk, 10.0.0.8")), ip("10.0.0.8"));
    }

    #[test]
    fn a_list_that_is_not_addresses_is_refused() {
        assert!(TrustedProxies::parse("10.0.0.1, proxy.local").is_err());
        assert!(TrustedProxies::parse("").is_ok_and(|p| !p.trusts(ip("127.0.0.1"))));
        assert!(TrustedProxies::parse("::1").is_ok_and(|p| p.trusts(ip("::1"))));
    }
}
