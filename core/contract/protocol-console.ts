// VM Connection: VNC/serial consoles, thumbnails, media.
// Add this feature's methods here; their names start with the feature's prefix.
export const CONSOLE_METHODS = {} as const;
