//! What the preview server adds to the HTML it serves: the live-reload script and, while the
//! site is broken, the error overlay. Nothing here ever reaches the output of `mps build`: the
//! server adds it to responses, not to files.

/// The path of the Server-Sent Events stream the script listens to.
pub const EVENTS_PATH: &str = "/__mps/events";

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The overlay markup showing `error` (the plain-text rendering of the diagnostics).
pub fn overlay(error: &str) -> String {
    format!(
        "<div id=\"mps-overlay\" role=\"alertdialog\" aria-labelledby=\"mps-overlay-title\" \
         style=\"position:fixed;inset:0;z-index:2147483647;background:rgba(11,12,12,.85);\
         overflow:auto;padding:2rem 1rem;font:16px/1.4 system-ui,sans-serif\">\
         <div style=\"max-width:60rem;margin:0 auto;background:#fff;color:#0b0c0c;\
         border-top:8px solid #d4351c;padding:1.5rem\">\
         <h2 id=\"mps-overlay-title\" style=\"margin:0 0 .5rem;font-size:1.5rem\">\
         The site could not be rebuilt</h2>\
         <p style=\"margin:0 0 1rem\">You are seeing the last version that worked. Fix the \
         problem below and save: this page updates by itself.</p>\
         <pre style=\"white-space:pre-wrap;font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;\
         background:#f3f2f1;padding:1rem;margin:0;overflow:auto\">{}</pre>\
         <button type=\"button\" onclick=\"this.closest('#mps-overlay').remove()\" \
         style=\"margin-top:1rem;font:inherit;padding:.4rem 1rem\">Hide</button></div></div>",
        escape_html(error)
    )
}

/// The live-reload script. `build` identifies the build the page came from: when the stream's
/// `hello` names another (a newer build, or a restarted server), the page reloads.
pub fn script(build: &str) -> String {
    // The build id is made by the server from digits and dashes; escaping keeps it inert anyway.
    let build = escape_html(build);
    format!(
        r#"<script data-mps-live-reload>
(function () {{
  var build = "{build}";
  var source = null;
  function show(text) {{
    var old = document.getElementById("mps-overlay");
    if (old) old.remove();
    var wrap = document.createElement("div");
    wrap.innerHTML = {overlay};
    var box = wrap.firstChild;
    box.querySelector("pre").textContent = text;
    document.body.appendChild(box);
  }}
  // A page whose stream cannot connect (the server stopped, or is refusing streams) tries
  // again after a growing delay, up to half a minute, rather than at once over and over.
  var delay = 1000;
  function connect() {{
    source = new EventSource("{EVENTS_PATH}");
    source.addEventListener("hello", function (e) {{
      if (e.data !== build) {{ location.reload(); return; }}
      delay = 1000;
      window.__mpsLiveReload = "connected";
    }});
    source.addEventListener("reload", function () {{ location.reload(); }});
    source.addEventListener("error", function (e) {{
      if (typeof e.data === "string") {{ show(e.data); return; }}
      // A lost connection: the browser's own retry is replaced by the delay above.
      source.close();
      window.__mpsLiveReload = "waiting";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    }});
  }}
  connect();
}})();
</script>"#,
        overlay = js_string(&overlay("")),
    )
}

/// A JavaScript string literal holding `text`, safe inside a `<script>` element.
fn js_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Adds `snippet` just before the last `</body>` (any case), or at the end when there is none.
pub fn inject(html: &str, snippet: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let at = lower.rfind("</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + snippet.len());
    out.push_str(&html[..at]);
    out.push_str(snippet);
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end_tag() {
        let html = "<html><BODY><p>x</p></BODY></html>";
        assert_eq!(
            inject(html, "<s></s>"),
            "<html><BODY><p>x</p><s></s></BODY></html>"
        );
        assert_eq!(inject("<p>no body", "!"), "<p>no body!");
    }

    #[test]
    fn overlay_escapes_the_error_text() {
        let o = overlay("site.yaml:2: <script>alert(1)</script> & \"x\"");
        assert!(!o.contains("<script>alert"));
        assert!(o.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    }

    #[test]
    fn script_holds_no_closing_tag_but_its_own() {
        let s = script("1-2");
        assert_eq!(s.matches("</script>").count(), 1);
        assert!(s.contains("\"1-2\""));
        assert!(s.contains(EVENTS_PATH));
        // Reconnections back off rather than spin.
        assert!(s.contains("delay * 2") && s.contains("30000"));
    }
}
