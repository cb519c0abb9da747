/** The CLI's version, as its package.json says (kept in step by a test). */
export const CLI_VERSION = "0.1.0";
