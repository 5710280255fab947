//! Which names the preview answers to, and which addresses it tells people to use.
//!
//! Every request's Host header is checked, so that a web page elsewhere cannot reach the
//! preview by pointing a name of its own at this machine (DNS rebinding). Bound to loopback,
//! the preview answers to `localhost` and loopback addresses only; bound to another address
//! (`--bind 0.0.0.0`), also to this machine's host name and its network addresses.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use super::http::is_loopback_host;

/// The names and addresses the server answers to.
#[derive(Debug)]
pub struct Hosts {
    /// Bound to loopback: only loopback names pass.
    loopback_only: bool,
    /// The address bound to, when it is one address rather than all of them.
    bound: Option<IpAddr>,
    /// This machine's host names, lower-case.
    names: BTreeSet<String>,
    /// This machine's addresses as last read (read again when an unknown address is asked for,
    /// so that an address the machine gained since the start is accepted).
    addrs: Mutex<BTreeSet<IpAddr>>,
}

impl Hosts {
    pub fn new(addr: SocketAddr) -> Hosts {
        let ip = addr.ip();
        let loopback_only = ip.is_loopback();
        let (names, addrs) = if loopback_only {
            (BTreeSet::new(), BTreeSet::new())
        } else {
            (machine_names(), interface_addrs())
        };
        Hosts {
            loopback_only,
            bound: (!ip.is_unspecified()).then_some(ip),
            names,
            addrs: Mutex::new(addrs),
        }
    }

    /// Whether a request with this Host header is answered.
    pub fn allows(&self, host: &str) -> bool {
        if is_loopback_host(host) {
            return true;
        }
        if self.loopback_only {
            return false;
        }
        let Some(name) = host_name(host) else {
            return false;
        };
        if let Ok(ip) = name.parse::<IpAddr>() {
            if self.bound.is_some_and(|b| b == ip) {
                return true;
            }
            let mut addrs = self.addrs.lock().unwrap_or_else(|p| p.into_inner());
            if addrs.contains(&ip) {
                return true;
            }
            *addrs = interface_addrs();
            return self.bound.is_none() && addrs.contains(&ip);
        }
        self.names.contains(&name)
    }

    /// The text of a 403 for a Host header that is not allowed.
    pub fn refusal(&self) -> String {
        if self.loopback_only {
            "This preview only answers to localhost, 127.0.0.1 or [::1]\n".into()
        } else {
            "This preview only answers to this machine's names and addresses\n".into()
        }
    }

    /// The home page's address as others on the network can use it: the machine's
    /// non-loopback addresses (or the one bound to), then its host name. Empty when bound to
    /// loopback.
    pub fn network_urls(&self, addr: SocketAddr) -> Vec<String> {
        if self.loopback_only {
            return Vec::new();
        }
        let port = addr.port();
        let mut ips: Vec<IpAddr> = match self.bound {
            Some(ip) => vec![ip],
            None => {
                let addrs = self.addrs.lock().unwrap_or_else(|p| p.into_inner());
                addrs
                    .iter()
                    .copied()
                    // An IPv4 listener cannot be reached on IPv6; link-local IPv6 addresses
                    // need a zone that a URL cannot carry.
                    .filter(|ip| addr.is_ipv6() || ip.is_ipv4())
                    .filter(|ip| !is_link_local_v6(ip))
                    .collect()
            }
        };
        // IPv4 first: the shorter, more familiar address.
        ips.sort_by_key(|ip| ip.is_ipv6());
        let mut urls: Vec<String> = ips
            .iter()
            .map(|ip| match ip {
                IpAddr::V4(v4) => format!("http://{v4}:{port}/"),
                IpAddr::V6(v6) => format!("http://[{v6}]:{port}/"),
            })
            .collect();
        if let Some(name) = self.names.iter().next() {
            urls.push(format!("http://{name}:{port}/"));
        }
        urls
    }
}

fn is_link_local_v6(ip: &IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
}

/// The host part of a Host header, lower-case, without port, brackets or a final dot.
fn host_name(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split_once(']')?.0.to_string()
    } else {
        host.rsplit_once(':')
            .map_or(host.as_str(), |(name, _)| name)
            .to_string()
    };
    let name = name.trim_end_matches('.');
    (!name.is_empty()).then(|| name.to_string())
}

/// This machine's host name, its first label, and its `.local` name (as mDNS announces it).
fn machine_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let full = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if full.is_empty() || full == "localhost" {
        return names;
    }
    let short = full.split('.').next().unwrap_or(&full).to_string();
    names.insert(format!("{short}.local"));
    names.insert(short);
    names.insert(full);
    names
}

/// This machine's non-loopback interface addresses.
fn interface_addrs() -> BTreeSet<IpAddr> {
    if_addrs::get_if_addrs()
        .map(|list| {
            list.into_iter()
                .map(|i| i.ip())
                .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_binds_refuse_other_names() {
        let h = Hosts::new("127.0.0.1:1111".parse().unwrap());
        assert!(h.allows("localhost:1111"));
        assert!(h.allows("[::1]:1111"));
        assert!(!h.allows("example.org"));
        assert!(h.network_urls("127.0.0.1:1111".parse().unwrap()).is_empty());
    }

    #[test]
    fn open_binds_allow_the_machine_and_refuse_others() {
        let addr: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        let h = Hosts::new(addr);
        assert!(h.allows("localhost:1111"));
        assert!(!h.allows("attacker.example:1111"));
        assert!(!h.allows("203.0.113.9:1111"), "not this machine's address");
        assert!(!h.allows("[::1"));
        for url in h.network_urls(addr) {
            let host = url
                .strip_prefix("http://")
                .and_then(|u| u.strip_suffix('/'))
                .unwrap();
            assert!(h.allows(host), "{url} is printed but refused");
            assert!(!url.contains("127.0.0.1"), "{url}");
        }
    }

    #[test]
    fn host_names_are_normalised() {
        assert_eq!(host_name("Example.ORG.:80").as_deref(), Some("example.org"));
        assert_eq!(host_name("[fe80::1]:80").as_deref(), Some("fe80::1"));
        assert_eq!(host_name(":80"), None);
    }
}
