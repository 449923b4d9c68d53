/**
 * A minimal anonymous FTP server on 127.0.0.1 — the local stand-in for ppa.launchpad.net, so the
 * Launchpad upload path runs the real `dput` with its real `ftp` method (Python's ftplib: USER,
 * PASS, CWD, TYPE I, PASV, STOR, QUIT) against the same incoming layout (`~OWNER/NAME/ubuntu`).
 * Only what dput uses is implemented; uploads land under `root/<cwd>/<name>`.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join, normalize } from 'node:path';

export interface FtpServer {
  port: number;
  root: string;
  /** Every command received, in order (`USER anonymous`, `CWD ~ensemble/ppa/ubuntu`, `STOR x`). */
  log: string[];
  /** Files stored, as paths relative to root. */
  stored: string[];
  close(): Promise<void>;
}

export async function startFtpServer(root: string): Promise<FtpServer> {
  const log: string[] = [];
  const stored: string[] = [];
  const sockets = new Set<Socket>();
  const servers = new Set<Server>();
  const control = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let cwd = '/';
    let passive: { server: Server; conn: Promise<Socket> } | undefined;
    const reply = (line: string) => sock.write(`${line}\r\n`);
    reply('220 pipeline test ftp');
    let buffer = '';
    sock.on('data', async (chunk) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        log.push(line.startsWith('PASS ') ? 'PASS ***' : line);
        const [cmd = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (cmd.toUpperCase()) {
          case 'USER': reply('331 password please'); break;
          case 'PASS': reply('230 logged in'); break;
          case 'SYST': reply('215 UNIX Type: L8'); break;
          case 'TYPE': reply('200 type set'); break;
          case 'PWD': reply(`257 "${cwd}"`); break;
          case 'CWD': {
            cwd = normalize(join(cwd, arg));
            mkdirSync(join(root, cwd), { recursive: true }); // Launchpad's queue accepts any ~OWNER/NAME path
            reply('250 ok');
            break;
          }
          case 'PASV': {
            const server = createServer();
            servers.add(server);
            const conn = new Promise<Socket>((res) => server.once('connection', (s) => { sockets.add(s); res(s); }));
            await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
            passive = { server, conn };
            const port = (server.address() as AddressInfo).port;
            reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`);
            break;
          }
          case 'STOR': {
            if (!passive) { reply('425 use PASV first'); break; }
            const { server, conn } = passive;
            passive = undefined;
            reply('150 ok, send it');
            const data = await conn;
            const rel = join(cwd, arg).replace(/^\//, '');
            const out = createWriteStream(join(root, rel));
            data.pipe(out);
            await new Promise<void>((res) => out.on('finish', () => res()));
            server.close();
            stored.push(rel);
            reply('226 stored');
            break;
          }
          case 'QUIT': reply('221 bye'); sock.end(); break;
          default: reply(`502 ${cmd} not implemented`);
        }
      }
    });
  });
  servers.add(control);
  await new Promise<void>((res) => control.listen(0, '127.0.0.1', () => res()));
  return {
    port: (control.address() as AddressInfo).port,
    root, log, stored,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([...servers].map((s) => new Promise<void>((res) => s.close(() => res()))));
    },
  };
}
