/** The tool version, written into certificates and `uat --version`. Keep equal to package.json. */
export const VERSION = '0.1.0';
