import Catalog
import Foundation
import Hummingbird

/// Server-rendered pages with a little JavaScript and no build step: `/` (the catalog grid
/// with a search box) and `/watch/<id>` (a `<video>` playing `master.m3u8` natively, with
/// the poster, an audio-language choice, and the subtitles as `<track>` elements pointing
/// at the whole-track WebVTT files, which every native player shows). When playback is
/// protected, `/watch/<id>?token=…` carries the token into every URL it plays, and the
/// catalog grid shows no posters (they need a token too).
struct WebPages: Sendable {
    let catalog: any CatalogStore
    let isProtected: Bool

    func register(on router: Router<DeliveryContext>) {
        router.get("/") { request, _ in
            let query = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let items = query.isEmpty
                ? try await catalog.list(type: nil, genre: nil, page: 1, limit: 500).items
                : try await catalog.searchDocuments(query, limit: 100)
            return html(Self.catalogPage(items, query: query, posters: !isProtected))
        }
        router.get("/watch/:id") { request, context in
            let id = try context.parameters.require("id")
            guard let document = try await catalog.document(id: id) else { throw APIError.notFound("no title \(id)") }
            return html(Self.watchPage(document, token: request.uri.queryParameters["token"].map(String.init)))
        }
    }

    /// `1 episode`, `2 episodes`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    static func catalogPage(_ items: [MediaDocument], query: String, posters: Bool = true) -> String {
        let cards = items.map { item -> String in
            let target = item.seasons.first?.episodes.first?.id ?? item.id
            var detail = item.seasons.isEmpty
                ? "\(Int(item.durationSeconds / 60)) min \(Int(item.durationSeconds) % 60) s"
                : Self.count(item.seasons.reduce(0) { $0 + $1.episodes.count }, "episode")
            // A title packaged right now plays already; say how far its packaging is.
            if item.status == "processing" { detail += " · processing \(Int((item.progress ?? 0) * 100)) %" }
            let poster = (posters ? item.poster : nil).map { #"<img src="\#(escape($0))" alt="" loading="lazy">"# } ?? #"<div class="blank"></div>"#
            return """
                <a class="card" href="/watch/\(escape(target))">\(poster)<span class="title">\(escape(item.title))\
                \(item.year.map { " (\($0))" } ?? "")</span><span class="meta">\(escape(item.type.rawValue)) · \(detail)</span></a>
                """
        }
        let empty = query.isEmpty ? "Nothing published yet: drop a video into the ingest folder." : "Nothing matches “\(escape(query))”."
        return page(title: "StreamVault", body: """
            <header><h1><a href="/">StreamVault</a></h1>
            <form action="/" method="get"><input type="search" name="q" value="\(escape(query))" placeholder="Search titles"></form></header>
            <main class="grid">\(cards.isEmpty ? "<p>\(empty)</p>" : cards.joined(separator: "\n"))</main>
            """)
    }

    static func watchPage(_ document: MediaDocument, token: String? = nil) -> String {
        /// A URL of the title, with the viewer's token when there is one.
        func played(_ url: String) -> String {
            guard let token, !token.isEmpty else { return url }
            return url + "?" + TokenCarrier.query(token)
        }
        guard let hls = document.hls.map(played) else {
            let episodes = document.seasons.flatMap { season in
                season.episodes.map { #"<li><a href="\#(escape(played("/watch/\($0.id)")))">S\#(season.number)E\#($0.number) \#(escape($0.title))</a></li>"# }
            }
            return page(title: document.title, body: "<header><h1><a href=\"/\">StreamVault</a></h1></header><main><h2>\(escape(document.title))</h2><ul>\(episodes.joined())</ul></main>")
        }
        // A forced track (signs, foreign dialogue) shows by default; the others on demand.
        let tracks = document.subtitles.map { subtitle in
            #"<track kind="subtitles" src="\#(escape(played(subtitle.file)))" srclang="\#(escape(subtitle.language))" label="\#(escape(subtitle.name))"\#(subtitle.forced ? " default" : "")>"#
        }
        let audio = document.dubbing.map {
            #"<option value="\#(escape($0.language))"\#($0.default ? " selected" : "")>\#(escape($0.name))</option>"#
        }
        return page(title: document.title, body: """
            <header><h1><a href="/">StreamVault</a></h1></header>
            <main class="watch">
            <h2>\(escape(document.title))\(document.year.map { " (\($0))" } ?? "")</h2>
            <video id="player" controls playsinline preload="metadata" crossorigin="anonymous"\
            \(document.poster.map { #" poster="\#(escape(played($0)))""# } ?? "") src="\(escape(hls))">
            \(tracks.joined(separator: "\n"))
            </video>
            <p class="controls">\(audio.count > 1 ? #"<label>Audio <select id="audio">\#(audio.joined())</select></label>"# : "")
            <span id="note"></span></p>
            </main>
            <script>
            const video = document.getElementById('player');
            const note = document.getElementById('note');
            if (!video.canPlayType('application/vnd.apple.mpegurl')) {
              note.textContent = 'This browser does not play HLS by itself; open the stream in Safari, Chromium or VLC: \(escape(hls))';
            }
            const audio = document.getElementById('audio');
            if (audio) {
              audio.addEventListener('change', () => {
                const tracks = video.audioTracks;
                if (!tracks) { note.textContent = 'This browser does not let a page switch the audio language.'; return; }
                for (let i = 0; i < tracks.length; i++) tracks[i].enabled = tracks[i].language === audio.value;
              });
            }
            video.addEventListener('error', () => { note.textContent = 'Playback error: ' + (video.error && video.error.message); });
            \(document.status == "processing" ? Self.followPackaging(id: document.id) : "")
            </script>
            """)
    }

    /// A title being packaged plays in a native player as the finished title does, only
    /// shorter: what was listed when it loaded (its media playlists have no
    /// `EXT-X-MEDIA-SEQUENCE`, so Chromium's native HLS takes them for a presentation with
    /// an end, not a live stream). When it reaches that end while the title is still
    /// packaged, the page loads the title again and goes on from the same point once more
    /// is listed (asking every 3 s; it stops once the title is ready and nothing more comes).
    static func followPackaging(id: String) -> String {
        """
        let resumeAt = null;
        const reload = () => video.load();
        video.addEventListener('ended', () => { resumeAt = video.currentTime; note.textContent = 'Packaging… more in a moment'; reload(); });
        video.addEventListener('loadedmetadata', () => {
          if (resumeAt === null) return;
          if (video.duration > resumeAt + 0.25) {
            video.currentTime = resumeAt; resumeAt = null; note.textContent = ''; video.play().catch(() => {});
            return;
          }
          fetch('/api/media/\(escape(id))').then(r => r.json()).then(title => {
            if (title.status === 'processing') setTimeout(reload, 3000); else { resumeAt = null; note.textContent = ''; }
          }).catch(() => setTimeout(reload, 3000));
        });
        """
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}
        header{display:flex;gap:1rem;align-items:center;padding:.75rem 1.5rem;background:#1b1b1b}
        header h1{font-size:1.2rem;margin:0} a{color:inherit;text-decoration:none}
        input[type=search]{padding:.4rem .6rem;border-radius:.3rem;border:1px solid #444;background:#222;color:#eee;width:16rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem;padding:1.5rem}
        .card{display:flex;flex-direction:column;background:#1d1d1d;border-radius:.4rem;overflow:hidden}
        .card img,.card .blank{width:100%;aspect-ratio:16/9;object-fit:cover;background:#333}
        .title{padding:.5rem .6rem 0;font-weight:600} .meta{padding:0 .6rem .6rem;color:#999;font-size:.85rem}
        .watch{padding:1.5rem;max-width:1100px} video{width:100%;background:#000;border-radius:.4rem}
        .controls{display:flex;gap:1rem;align-items:center}
        </style></head><body>
        \(body)
        </body></html>
        """
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// An HTML response.
func html(_ text: String) -> Response {
    Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
             body: .init(byteBuffer: ByteBuffer(string: text)))
}
