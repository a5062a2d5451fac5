#!/usr/bin/env python3
"""Uploads with a real tus client (Debian's python3-tuspy), or breaks a PATCH off mid-body.

  tus_upload.py upload ENDPOINT FILE --token T --chunk N --store F [--stop-at BYTES] [--checksum] [--meta k=v]...
      tuspy's Uploader, its URL kept in --store (so a second run resumes: tuspy asks HEAD for
      the offset); prints {"url", "offset"}.
  tus_upload.py cut URL FILE --at OFFSET --declare N --send M
      a raw PATCH declaring N body bytes at OFFSET, sending only M of them, then closing the
      connection, as a dropped network does.
"""
import argparse, json, socket, sys
from urllib.parse import urlsplit

parser = argparse.ArgumentParser()
sub = parser.add_subparsers(dest="mode", required=True)
up = sub.add_parser("upload")
up.add_argument("endpoint"); up.add_argument("file")
up.add_argument("--token", required=True); up.add_argument("--chunk", type=int, required=True)
up.add_argument("--store", required=True); up.add_argument("--stop-at", type=int)
up.add_argument("--checksum", action="store_true"); up.add_argument("--meta", action="append", default=[])
cut = sub.add_parser("cut")
cut.add_argument("url"); cut.add_argument("file")
cut.add_argument("--at", type=int, required=True); cut.add_argument("--declare", type=int, required=True)
cut.add_argument("--send", type=int, required=True)
args = parser.parse_args()

if args.mode == "upload":
    from tusclient.client import TusClient
    from tusclient.storage.filestorage import FileStorage
    client = TusClient(args.endpoint, headers={"Authorization": "Bearer " + args.token})
    metadata = dict(item.split("=", 1) for item in args.meta)
    storage = FileStorage(args.store)
    uploader = client.uploader(args.file, chunk_size=args.chunk, metadata=metadata, store_url=True,
                               url_storage=storage, upload_checksum=args.checksum)
    uploader.upload(stop_at=args.stop_at)
    storage.close()
    print(json.dumps({"url": uploader.url, "offset": uploader.offset}))
else:
    data = open(args.file, "rb").read()[args.at:args.at + args.send]
    parts = urlsplit(args.url)
    connection = socket.create_connection((parts.hostname, parts.port))
    connection.sendall((f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
                        f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {args.at}\r\n"
                        f"Content-Length: {args.declare}\r\n\r\n").encode() + data)
    connection.shutdown(socket.SHUT_RDWR)
    connection.close()
