// Defined by @electron-forge/plugin-vite for the renderer entry named "main_window"
// (absent in a plain `vite build`, so the code checks with typeof).
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;
