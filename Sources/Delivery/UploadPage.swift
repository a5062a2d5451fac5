import Hummingbird

/// `/upload`: drop or choose files; each goes up with tus from the page's own JavaScript
/// (the protocol is small), with a progress bar, in chunks, trying again after a dropped
/// connection; the upload's URL is kept in `localStorage` by the file's name, size and date,
/// so after a reload choosing the same file again goes on from where the server has it. Once
/// the title plays, the page links to it. It needs the API token (asked once, kept in the
/// browser), or a one-time upload URL's token as `?grant=` (a platform sends its users here).
/// `?chunk=BYTES` sets the chunk size (default 8 MiB).
struct UploadPage: Sendable {
    func register(on router: Router<DeliveryContext>) {
        router.get("/upload") { _, _ in html(Self.page) }
    }

    static let page = WebPages.page(title: "Upload · StreamVault", body: #"""
        <header><h1><a href="/">StreamVault</a></h1><span>Upload</span></header>
        <main class="watch">
        <p id="auth"><label>API token <input id="token" type="password" size="40" autocomplete="off"></label></p>
        <div id="drop" style="border:2px dashed #555;border-radius:.5rem;padding:2rem;text-align:center">
          Drop video files here, or <label style="text-decoration:underline;cursor:pointer">choose them<input id="files" type="file" multiple hidden></label>
        </div>
        <ul id="list" style="list-style:none;padding:0"></ul>
        </main>
        <script>
        const query = new URLSearchParams(location.search);
        const grant = query.get('grant');
        const chunk = Number(query.get('chunk')) || 8 * 1024 * 1024;
        const tokenInput = document.getElementById('token');
        if (grant) document.getElementById('auth').hidden = true;
        tokenInput.value = localStorage.getItem('streamvault.token') || '';
        tokenInput.addEventListener('change', () => localStorage.setItem('streamvault.token', tokenInput.value));
        const b64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
        const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

        function row(file) {
          const item = document.createElement('li');
          item.className = 'upload';
          item.innerHTML = '<span class="name"></span> <progress max="100" value="0"></progress> <span class="state">waiting</span>';
          item.querySelector('.name').textContent = file.name;
          document.getElementById('list').appendChild(item);
          return { item, bar: item.querySelector('progress'), state: item.querySelector('.state'),
                   say(text) { this.state.textContent = text; item.dataset.state = text; } };
        }

        function request(method, url, headers, body, onProgress) {
          return new Promise((resolve, reject) => {
            const xhr = new XMLHttpRequest();
            xhr.open(method, url);
            xhr.setRequestHeader('Tus-Resumable', '1.0.0');
            for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
            if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
            xhr.onload = () => resolve(xhr);
            xhr.onerror = () => reject(new Error('the connection failed'));
            xhr.send(body);
          });
        }

        async function create(file) {
          const metadata = 'filename ' + b64(file.name);
          const endpoint = grant ? '/api/uploads/direct/' + encodeURIComponent(grant) : '/api/uploads';
          const auth = grant ? {} : { Authorization: 'Bearer ' + tokenInput.value };
          const xhr = await request('POST', endpoint, { ...auth, 'Upload-Length': String(file.size), 'Upload-Metadata': metadata }, null);
          if (xhr.status !== 201) throw new Error(JSON.parse(xhr.responseText || '{}').error?.message || 'refused: ' + xhr.status);
          return new URL(xhr.getResponseHeader('Location'), location.href).pathname;
        }

        async function upload(file) {
          const view = row(file);
          const key = 'streamvault.upload:' + [file.name, file.size, file.lastModified].join(':');
          let url = localStorage.getItem(key), offset = 0, job = null, wait = 1000;
          while (true) {
            try {
              if (url) {
                const head = await request('HEAD', url, {}, null);
                if (head.status === 404) { localStorage.removeItem(key); url = null; continue; }
                offset = Number(head.getResponseHeader('Upload-Offset'));
                job = head.getResponseHeader('StreamVault-Job');
              } else {
                url = await create(file);
                localStorage.setItem(key, url);
                view.item.dataset.url = url;
              }
              view.item.dataset.url = url;
              while (offset < file.size) {
                view.say('uploading');
                const piece = file.slice(offset, offset + chunk);
                const xhr = await request('PATCH', url, { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
                                          piece, (sent) => { view.bar.value = 100 * (offset + sent) / file.size; });
                if (xhr.status === 409) { offset = Number(xhr.getResponseHeader('Upload-Offset')); continue; }
                if (xhr.status !== 204) throw new Error('refused: ' + xhr.status);
                offset = Number(xhr.getResponseHeader('Upload-Offset'));
                job = xhr.getResponseHeader('StreamVault-Job') || job;
                view.bar.value = 100 * offset / file.size;
                wait = 1000;
              }
              break;
            } catch (error) {
              view.say('connection lost, trying again');
              await sleep(wait);
              wait = Math.min(wait * 2, 30000);
            }
          }
          localStorage.removeItem(key);
          view.bar.value = 100;
          view.say('packaging');
          while (job) {
            const answer = await fetch('/api/jobs/' + job).then((r) => r.json()).catch(() => null);
            if (answer && answer.mediaId) {
              const title = await fetch('/api/media/' + answer.mediaId).then((r) => r.ok ? r.json() : null).catch(() => null);
              if (title) {
                const link = document.createElement('a');
                link.href = '/watch/' + title.id;
                link.className = 'watch-link';
                link.textContent = 'watch ' + title.title;
                view.item.appendChild(link);
                view.say(title.status === 'ready' ? 'ready' : 'playable');
                return;
              }
              if (['failed', 'cancelled'].includes(answer.state)) { view.say('failed: ' + (answer.error || answer.state)); return; }
            }
            await sleep(1000);
          }
        }

        const take = (files) => { for (const file of files) upload(file); };
        document.getElementById('files').addEventListener('change', (event) => take(event.target.files));
        const drop = document.getElementById('drop');
        drop.addEventListener('dragover', (event) => event.preventDefault());
        drop.addEventListener('drop', (event) => { event.preventDefault(); take(event.dataTransfer.files); });
        </script>
        """#)
}
