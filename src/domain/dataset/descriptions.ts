/**
 * Danish study descriptions as a Danish RIS writes them ("CT af thorax med i.v. kontrast", "Rtg. af
 * thorax", "UL af abdomen"), for synthetic studies and for imported ones whose description had to go.
 */
const BODY_PARTS: Readonly<Record<string, string>> = {
  CHEST: 'thorax', LUNG: 'thorax', THORAX: 'thorax', HEAD: 'cerebrum', BRAIN: 'cerebrum', SKULL: 'kranium',
  ABDOMEN: 'abdomen', PELVIS: 'bækken', LSPINE: 'columna lumbalis', CSPINE: 'columna cervicalis',
  TSPINE: 'columna thoracalis', SPINE: 'columna', KNEE: 'knæ', SHOULDER: 'skulder', HIP: 'hofte', NECK: 'hals',
  BREAST: 'mammae', CHESTABDOMEN: 'thorax og abdomen', CHEST_ABDOMEN: 'thorax og abdomen',
  CHESTABDPELVIS: 'thorax, abdomen og bækken', ABDOMENPELVIS: 'abdomen og bækken', HEADNECK: 'hoved og hals',
  LIVER: 'lever', PROSTATE: 'prostata', KIDNEY: 'nyrer', HAND: 'hånd', FOOT: 'fod', ANKLE: 'ankel',
  WRIST: 'håndled', ELBOW: 'albue', COLON: 'colon', HEART: 'hjerte',
};

const MODALITY_PREFIX: Readonly<Record<string, string>> = {
  CT: 'CT af', MR: 'MR af', DX: 'Rtg. af', CR: 'Rtg. af', US: 'UL af', NM: 'Scintigrafi af', PT: 'PET/CT af',
  XA: 'Angiografi af', RF: 'Gennemlysning af',
};

/** "CT af thorax" from a modality and a BodyPartExamined (unknown parts give the modality's generic text). */
export function danishStudyDescription(modality: string, bodyPart: string): string {
  const mod = modality.trim().toUpperCase();
  if (mod === 'MG') return 'Mammografi';
  const part = BODY_PARTS[bodyPart.trim().toUpperCase().replace(/\s+/g, '')];
  const prefix = MODALITY_PREFIX[mod];
  if (prefix && part) return `${prefix} ${part}`;
  if (prefix) return `${prefix.replace(/ af$/, '')}-undersøgelse`;
  return `${mod || 'Billed'}-undersøgelse`;
}
