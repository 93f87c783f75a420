//! The sign-in pages, owned here so that the edge function (which answers [`LOGIN_PATH`] and
//! share links with them) and the site builder (which publishes the static copy CloudFront shows
//! for 403) render the same page without the site builder linking bcrypt or RSA. Self-contained
//! (inline CSS, no requests), works without JavaScript and on a phone, follows the system's dark
//! or light mode.

use crate::keys::{LOGIN_PATH, LOGIN_SCRIPT_KEY};

/// The cookie naming the album a scoped visitor (a share link, a user limited to one album) may
/// see, as its URL path. Not a credential (CloudFront ignores it): the pages' scripts read it to
/// hide links the visitor cannot follow, so it is the one cookie scripts may read. The edge sets
/// it (`edge_auth::cookies`); `site-builder/web/gallery.js` and [`static_login_script`] read it.
pub const SCOPE_COOKIE: &str = "shoebox-scope";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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

const STYLE: &str = "
:root{color-scheme:light dark;--bg:#f6f5f2;--fg:#1d1d1f;--muted:#6b6b70;--card:#fff;--line:#d8d6d0;--accent:#2f5d8a;--err:#a4262c}
@media (prefers-color-scheme:dark){:root{--bg:#121214;--fg:#ececef;--muted:#a0a0a8;--card:#1c1c20;--line:#34343a;--accent:#8ab4e0;--err:#ff8a8a}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{width:min(22rem,calc(100vw - 2rem));background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.75rem}
h1{margin:0 0 .25rem;font-size:1.4rem}
p.sub{margin:0 0 1.25rem;color:var(--muted)}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.65rem .75rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:8px}
input:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.remember{display:flex;gap:.5rem;align-items:center;margin:1rem 0;font-weight:400}
button{width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:8px;cursor:pointer}
@media (prefers-color-scheme:dark){button{color:#111}}
.error{color:var(--err);font-weight:600;margin:0 0 .5rem}
";

/// Every auth page's frame: `tab` is the (escaped) window title, `main` the page's content.
fn page(tab: &str, main: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{tab}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{main}</main>
</body>
</html>
"#
    )
}

/// The login page, with an optional error message and the page to return to.
pub fn login_page(title: &str, error: Option<&str>, next: &str) -> String {
    let title = escape(title);
    let error =
        error.map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e))).unwrap_or_default();
    let next = escape(next);
    let main = format!(
        r#"<h1>{title}</h1>
<p class="sub">This gallery is private. Please sign in.</p>
{error}<form method="post" action="{LOGIN_PATH}">
<input type="hidden" name="next" value="{next}">
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<label class="remember"><input type="checkbox" name="remember" value="1"> Keep me signed in</label>
<button type="submit">Sign in</button>
</form>
"#
    );
    page(&format!("Sign in · {title}"), &main)
}

/// A page with a message and no form: what an expired, revoked or broken share link shows
/// (a guest has no account, so a login form would only confuse).
pub fn message_page(title: &str, heading: &str, text: &str) -> String {
    let (title, heading, text) = (escape(title), escape(heading), escape(text));
    page(&format!("{heading} · {title}"), &format!("<h1>{heading}</h1>\n<p class=\"sub\">{text}</p>\n"))
}

/// The static login page's script: it fills `next` with the address the visitor asked for, and
/// tells a visitor who holds a share link's cookies (the readable [`SCOPE_COOKIE`]) that their
/// link opens one album only, with a way back to it. A file of its own ([`LOGIN_SCRIPT_KEY`]),
/// because the sites' Content-Security-Policy allows no inline scripts.
pub fn static_login_script() -> String {
    format!(
        r#"document.querySelector('input[name=next]').value = location.pathname + location.search + location.hash;
const scope = document.cookie.split('; ').find((c) => c.startsWith('{SCOPE_COOKIE}='))?.slice({prefix});
if (scope && /^\/[A-Za-z0-9%._~\-/]*\/$/.test(scope) && !location.pathname.startsWith(scope)) {{
  const note = document.createElement('p');
  note.className = 'sub';
  note.append('The link you opened shows one album only: ');
  note.append(Object.assign(document.createElement('a'), {{ href: scope, textContent: 'back to that album' }}));
  note.append('. To see more, sign in.');
  document.querySelector('main h1').after(note);
}}
"#,
        prefix = SCOPE_COOKIE.len() + 1
    )
}

/// The login page as a static file (at [`crate::keys::LOGIN_PAGE_KEY`]), which CloudFront serves in place of any
/// page a visitor may not see yet: [`static_login_script`] sends them back to the address they
/// asked for after signing in (without JavaScript they land on the front page).
pub fn static_login_page(title: &str) -> String {
    let script = format!("<script src=\"/{LOGIN_SCRIPT_KEY}\" defer></script>\n");
    login_page(title, None, "/").replace("</head>", &format!("{script}</head>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_makes_no_external_requests() {
        let page = login_page("<Family & \"Friends\">", Some("Wrong <b>"), "/a?b=\"c\"");
        assert!(page.contains("&lt;Family &amp; &quot;Friends&quot;&gt;"));
        assert!(page.contains("Wrong &lt;b&gt;"));
        assert!(page.contains(r#"value="/a?b=&quot;c&quot;""#));
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
        assert!(page.contains(r#"name="viewport""#));
        assert!(page.contains(&format!(r#"action="{LOGIN_PATH}""#)));
    }

    #[test]
    fn the_static_page_loads_its_script_which_reads_the_scope_cookie() {
        let page = static_login_page("Photos");
        assert!(page.contains(&format!(r#"<script src="/{LOGIN_SCRIPT_KEY}" defer></script>"#)), "{page}");
        // Byte for byte the script browsers ran before it was assembled from the cookie's name.
        let expected = r#"document.querySelector('input[name=next]').value = location.pathname + location.search + location.hash;
const scope = document.cookie.split('; ').find((c) => c.startsWith('shoebox-scope='))?.slice(14);
if (scope && /^\/[A-Za-z0-9%._~\-/]*\/$/.test(scope) && !location.pathname.startsWith(scope)) {
  const note = document.createElement('p');
  note.className = 'sub';
  note.append('The link you opened shows one album only: ');
  note.append(Object.assign(document.createElement('a'), { href: scope, textContent: 'back to that album' }));
  note.append('. To see more, sign in.');
  document.querySelector('main h1').after(note);
}
"#;
        assert_eq!(static_login_script(), expected);
    }
}
