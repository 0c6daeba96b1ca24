/**
 * Where uploaded files (product images) live: the port every upload goes through. Keys are chosen by the app (never
 * by the uploader), e.g. "products/<uuid>.webp". LocalDiskStorage is the implementation that ships; an S3-compatible
 * one implements the same three methods (README, "Media storage").
 */
export abstract class ObjectStorage {
  /** Stores the bytes under the key, replacing nothing: keys are new UUIDs. */
  abstract put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The stored bytes, or undefined when there is no such object. */
  abstract get(key: string): Promise<StoredObject | undefined>;
  abstract delete(key: string): Promise<void>;
  /** The address clients load the object from (a path on this site for local disk; the bucket's URL for S3). */
  abstract publicUrl(key: string): string;
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
}

/** Image types staff may upload, by their first bytes (SVG is refused: it can carry script). */
const IMAGE_SIGNATURES: { type: string; extension: string; matches: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', extension: 'jpg', matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/png',
    extension: 'png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/gif', extension: 'gif', matches: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  {
    type: 'image/webp',
    extension: 'webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export const IMAGE_TYPES = IMAGE_SIGNATURES.map((s) => s.type);
export const IMAGE_EXTENSIONS: Record<string, string> = Object.fromEntries(IMAGE_SIGNATURES.map((s) => [s.extension, s.type]));

/** The image type the bytes really are (whatever the request claimed), or undefined. */
export function sniffImage(body: Buffer): { type: string; extension: string } | undefined {
  const found = IMAGE_SIGNATURES.find((s) => s.matches(body));
  return found && { type: found.type, extension: found.extension };
}
