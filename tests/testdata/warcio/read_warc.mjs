// Reads WARC files with warcio (an independent implementation, from npm) and
// prints one JSON object per record: its type, target URI, date, the HTTP
// status of a response, the length of a response's body once warcio has
// removed its chunked framing and content coding, and a revisit record's
// profile and WARC-Refers-To-Target-URI. Used by
// tests/e2e/warc_interop_test to check what `crawler --warc` writes.
//
// Usage: node read_warc.mjs FILE...
// Exit status 0 when every file was read to its end, 1 otherwise (the error
// on stderr).
import fs from "node:fs";
import { WARCParser } from "warcio";

async function readFile(file) {
  const parser = new WARCParser(fs.createReadStream(file));
  for await (const record of parser) {
    const out = {
      file,
      type: record.warcType,
      uri: record.warcTargetURI ?? null,
      date: record.warcDate ?? null,
      status: null,
      length: null,
      profile: record.warcHeader("WARC-Profile") ?? null,
      refersTo: record.warcRefersToTargetURI ?? null,
    };
    if (record.warcType === "response") {
      out.status = record.httpHeaders ? record.httpHeaders.statusCode : null;
      const body = await record.readFully(true);
      out.length = body.length;
    } else {
      await record.readFully(false);
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}

try {
  for (const file of process.argv.slice(2)) await readFile(file);
} catch (e) {
  process.stderr.write("read_warc: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
}
