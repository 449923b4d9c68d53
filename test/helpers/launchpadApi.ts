/**
 * A local stand-in for Launchpad's REST API (api.launchpad.net/1.0) on 127.0.0.1, answering the
 * two calls `ppa wait` makes with the JSON shapes Launchpad's web service documents
 * (https://api.launchpad.net/1.0.html, "archive" and "source_package_publishing_history"):
 *
 * - `GET /1.0/~OWNER/+archive/ubuntu/NAME?ws.op=getPublishedSources&source_name=&version=&exact_match=true`
 *   → a collection page `{ total_size, start, entries, resource_type_link }` of
 *   source_package_publishing_history entries (`self_link`, `source_package_name`,
 *   `source_package_version`, `status` from PackagePublishingStatus: Pending, Published,
 *   Superseded, Deleted, Obsolete; `distro_series_link`, `pocket`, `date_published`).
 * - `GET <self_link>?ws.op=getBuilds` → a collection page of build entries (`arch_tag`,
 *   `buildstate` from BuildStatus: "Needs building", "Currently building", "Successfully built",
 *   "Failed to build", ...; `build_log_url`, null until the build ends; `web_link`, `title`).
 *
 * Each poll of getPublishedSources advances the script one step (the last step repeats).
 */
import { createServer, type Server } from 'node:http';

export interface ScriptStep {
  /** undefined: the upload is still in the queue (no publication yet). */
  source?: 'Pending' | 'Published' | 'Superseded' | 'Deleted' | 'Obsolete';
  builds?: Array<{ arch: string; state: string; log?: boolean }>;
}

export interface LaunchpadApi {
  api: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startLaunchpadApi(owner: string, ppa: string, source: string, version: string, script: ScriptStep[]): Promise<LaunchpadApi> {
  const requests: string[] = [];
  let step = -1;
  let base = '';
  const page = (entries: unknown[], type: string) => ({ total_size: entries.length, start: 0, entries, resource_type_link: `${base}/#${type}-page-resource` });
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', base);
    const pubLink = `${base}/~${owner}/+archive/ubuntu/${ppa}/+sourcepub/4242`;
    const send = (code: number, body: unknown) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url.pathname === `/1.0/~${owner}/+archive/ubuntu/${ppa}` && url.searchParams.get('ws.op') === 'getPublishedSources') {
      step = Math.min(step + 1, script.length - 1);
      const s = script[step]!;
      const match = url.searchParams.get('source_name') === source && url.searchParams.get('version') === version;
      return send(200, page(s.source && match ? [{
        self_link: pubLink, resource_type_link: `${base}/#source_package_publishing_history`,
        source_package_name: source, source_package_version: version, status: s.source,
        distro_series_link: `${base}/ubuntu/tbd2704`, pocket: 'Release', component_name: 'main',
        date_published: s.source === 'Published' ? '2026-12-06T10:00:00+00:00' : null,
      }] : [], 'source_package_publishing_history'));
    }
    if (url.pathname === new URL(pubLink).pathname && url.searchParams.get('ws.op') === 'getBuilds') {
      const s = script[Math.max(step, 0)]!;
      return send(200, page((s.builds ?? []).map((b, i) => ({
        self_link: `${base}/~${owner}/+archive/ubuntu/${ppa}/+build/${900 + i}`,
        resource_type_link: `${base}/#build`,
        title: `${b.arch} build of ${source} ${version} in ubuntu tbd2704 RELEASE`,
        arch_tag: b.arch, buildstate: b.state, pocket: 'Release',
        build_log_url: b.log ? `https://launchpad.net/~${owner}/+archive/ubuntu/${ppa}/+build/${900 + i}/+files/buildlog_ubuntu-tbd2704-${b.arch}.${source}_${version}_BUILDING.txt.gz` : null,
        web_link: `https://launchpad.net/~${owner}/+archive/ubuntu/${ppa}/+build/${900 + i}`,
      })), 'build'));
    }
    return send(404, { error: `no such resource: ${req.url}` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}/1.0`;
  return { api: base, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
