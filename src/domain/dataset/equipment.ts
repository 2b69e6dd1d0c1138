/**
 * Scanner models the decoy hospitals own, with the vendor details a viewer or an attacker sees in the
 * General Equipment module and in modality-specific attributes (reconstruction kernels, MR sequence names).
 */
export type SynthModality = 'CT' | 'MR' | 'DX' | 'CR' | 'US';

export interface CtKernels {
  readonly soft: string;
  readonly lung: string;
  readonly bone: string;
}

export interface MrSequenceNames {
  readonly t1: string;
  readonly t2: string;
  readonly flair: string;
  readonly dwi: string;
}

export interface ScannerModel {
  readonly modality: SynthModality;
  readonly manufacturer: string;
  readonly model: string;
  readonly softwareVersions: string;
  readonly weight: number;
  readonly ctKernels?: CtKernels;
  readonly mrFieldStrength?: number;
  readonly mrSequenceNames?: MrSequenceNames;
  readonly usProbe?: string;
}

const SIEMENS_MR_SEQ: MrSequenceNames = { t1: '*tse2d1_3', t2: '*tse2d1_15', flair: '*tir2d1_21', dwi: '*ep_b1000t' };
const GE_MR_SEQ: MrSequenceNames = { t1: 'fse', t2: 'fse-xl', flair: 'T2FLAIR', dwi: 'epi2' };
const PHILIPS_MR_SEQ: MrSequenceNames = { t1: 'SE', t2: 'TSE', flair: 'IR', dwi: 'DwiSE' };

export const SCANNER_MODELS: readonly ScannerModel[] = [
  { modality: 'CT', manufacturer: 'SIEMENS', model: 'SOMATOM Definition Edge', softwareVersions: 'syngo CT VB10A', weight: 3, ctKernels: { soft: 'Br40d', lung: 'Bl57d', bone: 'Br64d' } },
  { modality: 'CT', manufacturer: 'SIEMENS', model: 'SOMATOM Force', softwareVersions: 'syngo CT VB20A', weight: 2, ctKernels: { soft: 'Br36d', lung: 'Bl57d', bone: 'Br69d' } },
  { modality: 'CT', manufacturer: 'SIEMENS', model: 'SOMATOM Definition AS+', softwareVersions: 'syngo CT 2012B', weight: 1, ctKernels: { soft: 'B30f', lung: 'B70f', bone: 'B60f' } },
  { modality: 'CT', manufacturer: 'GE MEDICAL SYSTEMS', model: 'Revolution CT', softwareVersions: 'revo_ct_22ha.41', weight: 2, ctKernels: { soft: 'STANDARD', lung: 'LUNG', bone: 'BONE' } },
  { modality: 'CT', manufacturer: 'GE MEDICAL SYSTEMS', model: 'Discovery CT750 HD', softwareVersions: 'gmp_hde.24', weight: 1, ctKernels: { soft: 'STANDARD', lung: 'LUNG', bone: 'BONEPLUS' } },
  { modality: 'CT', manufacturer: 'Philips', model: 'IQon - Spectral CT', softwareVersions: '4.7.6', weight: 1, ctKernels: { soft: 'B', lung: 'L', bone: 'YC' } },
  { modality: 'CT', manufacturer: 'Canon Medical Systems', model: 'Aquilion ONE', softwareVersions: 'V10.12', weight: 1, ctKernels: { soft: 'FC08', lung: 'FC51', bone: 'FC30' } },
  { modality: 'MR', manufacturer: 'SIEMENS', model: 'MAGNETOM Skyra', softwareVersions: 'syngo MR E11', weight: 3, mrFieldStrength: 3, mrSequenceNames: SIEMENS_MR_SEQ },
  { modality: 'MR', manufacturer: 'SIEMENS', model: 'MAGNETOM Aera', softwareVersions: 'syngo MR E11', weight: 2, mrFieldStrength: 1.5, mrSequenceNames: SIEMENS_MR_SEQ },
  { modality: 'MR', manufacturer: 'SIEMENS', model: 'MAGNETOM Vida', softwareVersions: 'syngo MR XA20', weight: 1, mrFieldStrength: 3, mrSequenceNames: SIEMENS_MR_SEQ },
  { modality: 'MR', manufacturer: 'GE MEDICAL SYSTEMS', model: 'SIGNA Premier', softwareVersions: '29\\LX\\MR Software release:RX29.1_R03', weight: 1, mrFieldStrength: 3, mrSequenceNames: GE_MR_SEQ },
  { modality: 'MR', manufacturer: 'Philips', model: 'Ingenia', softwareVersions: '5.7.1\\5.7.1.2', weight: 2, mrFieldStrength: 1.5, mrSequenceNames: PHILIPS_MR_SEQ },
  { modality: 'DX', manufacturer: 'Philips', model: 'DigitalDiagnost', softwareVersions: '4.3.2', weight: 2 },
  { modality: 'DX', manufacturer: 'SIEMENS', model: 'Ysio Max', softwareVersions: 'VF10C', weight: 2 },
  { modality: 'DX', manufacturer: 'Carestream Health', model: 'DRX-Evolution Plus', softwareVersions: '5.7.514.12', weight: 1 },
  { modality: 'DX', manufacturer: 'FUJIFILM Corporation', model: 'FDR D-EVO III', softwareVersions: 'A08-30', weight: 1 },
  { modality: 'CR', manufacturer: 'Agfa', model: 'CR 85-X', softwareVersions: 'NX 3.0.9000', weight: 1 },
  { modality: 'CR', manufacturer: 'FUJIFILM Corporation', model: 'FCR PROFECT CS', softwareVersions: 'A10-22', weight: 1 },
  { modality: 'US', manufacturer: 'GE Healthcare', model: 'LOGIQ E10', softwareVersions: 'LOGIQE10:R3.1.2', weight: 2, usProbe: 'C1-6-D' },
  { modality: 'US', manufacturer: 'Philips', model: 'EPIQ 7G', softwareVersions: 'PMS5.1 Ultrasound EPIQ 7.0.5', weight: 2, usProbe: 'C5-1' },
  { modality: 'US', manufacturer: 'SIEMENS', model: 'ACUSON Sequoia', softwareVersions: 'VA20A', weight: 1, usProbe: '5C1' },
  { modality: 'US', manufacturer: 'Canon Medical Systems', model: 'Aplio i800', softwareVersions: 'V5.0', weight: 1, usProbe: 'i8CX1' },
];

export function modelsFor(modality: SynthModality): ScannerModel[] {
  return SCANNER_MODELS.filter((m) => m.modality === modality);
}
