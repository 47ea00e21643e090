// A self-signed X.509 certificate for the edge's TLS key, written by hand in DER because Node has no API to
// create certificates and devices need no openssl. The certificate only carries the public key to the hub:
// trust comes from the pin (SHA-256 of the key) the hub read over SSH, never from names or dates.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { spkiSha256 } from '../shared/tls-pin.js';

/** ASN.1 DER: tag, definite length, content. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const n = content.length;
  // Two length bytes cover every certificate made here (a few hundred bytes); longer would need more.
  if (n > 0xffff) throw new RangeError(`DER content of ${n} bytes is longer than this writer encodes`);
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
const set = (...parts: Buffer[]) => der(0x31, ...parts);
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const bitString = (bytes: Buffer) => der(0x03, Buffer.from([0]), bytes);
const explicit = (n: number, inner: Buffer) => der(0xa0 + n, inner);

/** A positive INTEGER from big-endian bytes (a leading 0x00 when the high bit is set). */
function integer(bytes: Buffer): Buffer {
  return der(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'ascii')) : der(0x18, Buffer.from(iso, 'ascii'));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const COMMON_NAME = '2.5.4.3';

const pem = (label: string, bytes: Buffer) => `-----BEGIN ${label}-----\n${bytes.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

export { spkiSha256 };

export interface EdgeTlsIdentity {
  keyPem: string;
  certPem: string;
  spkiSha256: string;
}

/** A fresh ECDSA P-256 key and a self-signed v3 certificate for it (CN = the device name), valid `years` from now. */
export function createEdgeTlsIdentity(commonName: string, now = new Date(), years = 20): EdgeTlsIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and 16 bytes long
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8(commonName))));
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(now.getUTCFullYear() + years);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(now), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certPem: pem('CERTIFICATE', certificate),
    spkiSha256: spkiSha256(publicKey),
  };
}
