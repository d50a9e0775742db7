// VM Connection: VNC/serial consoles, thumbnails, media.
import { z } from 'zod';
import { method } from './method';

const VmRef = z.string().min(1).max(300);

export const ConsoleKindSchema = z.enum(['vnc', 'serial']);
export type ConsoleKind = z.infer<typeof ConsoleKindSchema>;

/** Where the VM Connection window opens its WebSocket: a one-time ticket, valid for a few seconds. */
export const ConsoleTicketSchema = z.object({
  ticket: z.string(),
  /** On the host's web server (same origin as a web console): `/api/console/<ticket>`. */
  path: z.string(),
  /** The engine's own loopback endpoint (ws://127.0.0.1:PORT/api/console/<ticket>) for local clients such as the desktop app. */
  url: z.string(),
  expiresAt: z.string(),
});
export type ConsoleTicket = z.infer<typeof ConsoleTicketSchema>;

/** Prefix of console WebSocket paths; the rest is the ticket. */
export const CONSOLE_WS_PREFIX = '/api/console/';

export const ThumbnailSchema = z.object({
  /** PNG, base64. */
  png: z.string(),
  takenAt: z.string(),
});
export type Thumbnail = z.infer<typeof ThumbnailSchema>;

export const MediaDriveSchema = z.enum(['dvd', 'floppy']);
export type MediaDrive = z.infer<typeof MediaDriveSchema>;

/** Keys the VM Connection window sends for the user (Ctrl+Alt+Del cannot be typed into a browser). */
export const SpecialKeysSchema = z.enum(['ctrl-alt-delete', 'ctrl-alt-backspace', 'alt-tab', 'print']);

export const CONSOLE_METHODS = {
  /** A ticket for one console WebSocket to the VM's screen (vnc) or serial port (serial). */
  'console.open': method(z.object({ vm: VmRef, kind: ConsoleKindSchema.default('vnc') }).strict(), ConsoleTicketSchema),
  /** The screen as a small PNG (QMP screendump); null when the VM has no running process. */
  'console.thumbnail': method(z.object({ vm: VmRef }).strict(), ThumbnailSchema.nullable()),
  /** Inserts an image (path) into the DVD or floppy drive, or ejects it (null); works while the VM runs. */
  'console.media': method(
    z.object({ vm: VmRef, drive: MediaDriveSchema, path: z.string().min(1).nullable() }).strict(),
    z.object({ drive: MediaDriveSchema, path: z.string().nullable() }),
  ),
  /** Types text into the guest as key presses (US layout): Clipboard ▸ Type clipboard text. */
  'console.typeText': method(z.object({ vm: VmRef, text: z.string().min(1).max(4096) }).strict(), z.object({ typed: z.number().int() })),
  'console.sendKeys': method(z.object({ vm: VmRef, keys: SpecialKeysSchema }).strict(), z.object({ sent: z.boolean() })),
} as const;
