declare const __LANMCP_VERSION__: string | undefined;

/** lanmcp's version: injected at build time, read from package.json when running from source (tests). */
export const LANMCP_VERSION: string =
  typeof __LANMCP_VERSION__ === 'string' ? __LANMCP_VERSION__ : (process.env.npm_package_version ?? '0.0.0-dev');
