/** `SHA256:<base64>` (like ssh's key fingerprints) of a hex SHA-256 pin: how pins are shown to humans. */
export function formatPin(hex: string): string {
  return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}
