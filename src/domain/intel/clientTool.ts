/**
 * The tool behind a web request, guessed from its User-Agent (the HTTP counterpart of the DICOM known-client
 * table): scanners and scripting libraries name themselves; anything with a browser's shape is a browser.
 * Attacker text stays data: the result is one of the names below or the User-Agent's first product token,
 * bounded. The portal puts it in every `dicomhawk.web.request` (client_guess); the sessions table and the
 * console show it like a DICOM client's guess.
 */
const TOOLS: ReadonlyArray<readonly [RegExp, string]> = [
  [/zgrab/i, 'zgrab'],
  [/masscan/i, 'masscan'],
  [/nmap/i, 'Nmap'],
  [/nuclei/i, 'Nuclei'],
  [/sqlmap/i, 'sqlmap'],
  [/nikto/i, 'Nikto'],
  [/gobuster|dirbuster|feroxbuster|ffuf/i, 'directory brute-forcer'],
  [/censysinspect/i, 'Censys'],
  [/shodan/i, 'Shodan'],
  [/expanse|xpanse/i, 'Palo Alto Xpanse'],
  [/internetmeasurement/i, 'InternetMeasurement'],
  [/leakix/i, 'LeakIX'],
  [/netcraft/i, 'Netcraft'],
  [/^curl\//i, 'curl'],
  [/^wget\//i, 'Wget'],
  [/python-requests|python-urllib|aiohttp|httpx/i, 'Python'],
  [/go-http-client/i, 'Go http client'],
  [/^java\/|okhttp|apache-httpclient/i, 'Java'],
  [/node-fetch|undici|axios/i, 'Node.js'],
  [/libwww-perl/i, 'Perl'],
  [/powershell/i, 'PowerShell'],
  [/bot|crawler|spider/i, 'crawler'],
  [/^mozilla\/5\.0 .*(chrome|firefox|safari|edg)\//i, 'browser'],
];

export function clientTool(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return 'no User-Agent';
  for (const [re, name] of TOOLS) if (re.test(ua)) return name;
  const first = /^[^\s/;()]{1,40}/.exec(ua)?.[0];
  return first ? `other (${first})` : 'other';
}
