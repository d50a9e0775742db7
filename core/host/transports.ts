// The engine's three ways in, one import for front ends that serve or dial them.
export { connectControlSocket, controlSocketPath, startControlSocket, CONTROL_SOCKET_FILE, type ControlServer } from './control-socket';
export { startWebServer, resolveStatic, CONTENT_SECURITY_POLICY, HEALTH_PATH, WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX, type WebServer, type WebServerOptions } from './web-server';
export { connectWebSocket, toWebSocketUrl, type WebSocketConnectOptions } from './ws-client';
export { loadOrCreateToken, tokenMatches, tokenPath, TOKEN_FILE } from './token';
export { LineSplitter } from './frames';
