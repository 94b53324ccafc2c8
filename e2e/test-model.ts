/**
 * The deterministic random model the browser tests run: a spiking TextCNN (architecture §2.1 shape:
 * dim 100, widths 3/4/5, 100 filters each, two classes) with hash-generated weights, written into
 * the built site at `dist/app/models/test-random/` (never into public/, so the app never ships it)
 * and opened by URL with `?model=models/test-random`. Its labels mean nothing; its numbers are
 * reproducible, which is what the tests need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeModel } from '../src/model/format';
import { saveModelDir } from '../src/model/node-io';
import { makeRandomTextCnn } from '../src/model/random-model';

/** The folder of the built site the tests serve. */
export const SITE_DIR = 'dist/app';
/** The model's URL relative to the page. */
export const TEST_MODEL_URL = 'models/test-random';
/** The model's folder on disk (the CLI reads it from here). */
export const TEST_MODEL_DIR = join(SITE_DIR, TEST_MODEL_URL);
/** A Chinese twin (character tokens), for the model picker and the language check. */
export const TEST_MODEL_ZH_URL = 'models/test-random-zh';

/** Common English words, plus every word the tests type. */
const WORDS = `the a an and or but not no nor so yet of to in on at by for with from into onto over under about after before
between through during without within along across behind beyond near up down out off again further then once here there when where
why how all any both each few more most other some such only own same than too very just can will should now is are was were be been
being have has had having do does did doing i me my myself we our ours you your yours he him his she her hers it its they them their
theirs what which who whom this that these those am would could might must shall may 's n't 're 've 'll 'd 'm , . ! ? ; : - ( ) "
film movie story plot acting actor actors actress cast director script scene scenes character characters performance performances
music score screen screenplay comedy drama thriller horror romance action documentary sequel series ending beginning middle
minutes hour time moment moments life love world people man woman men women family friend friends child children heart mind
good great fine best better well nice wonderful beautiful gorgeous brilliant excellent superb fantastic amazing moving touching
funny witty charming clever smart warm sweet delightful enjoyable entertaining engaging compelling powerful memorable fresh original
rich deep strong solid honest true real lovely perfect pleasant fun happy glad bright vivid stunning masterpiece triumph gem
bad worst worse poor awful terrible horrible dull boring slow tedious bland flat thin weak wooden lifeless pointless silly stupid
dumb mess messy confusing clumsy tired stale predictable forgettable overlong long cheap ugly painful annoying sad disappointing
disappointment waste mediocre lame shallow empty cold hollow
make makes made making see seen saw watch watched watching feel feels felt think thought know knew like liked love loved hate hated
enjoy enjoyed want wanted need needed find found give gave take took tell told show shows showed work works worked play plays played
look looks looked seem seems seemed come came go goes went get gets got keep kept leave left turn turned begin began end ended try tried
one two three four five first second last new old young big small little much many every another something nothing everything
anything someone everyone year years day days night way thing things lot bit kind sort part place home end point reason fact idea
really quite rather almost never always often sometimes still even also perhaps maybe certainly simply truly finally actually
hotel room service food delivery order fast late cold hot price quality staff clean dirty cheap expensive recommend again
it is not a bad movie just forgettable one the plot is thin and acting wooden gorgeous witty touching warm funny film`;

/** Common Chinese characters (the Chinese tokeniser gives one token per character), plus punctuation. */
const CHARACTERS = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域读店送慢凉好吃服务酒菜饭味道干净环境价格推荐下次，。！？、';

function vocabulary(): string[] {
  return [...new Set(WORDS.split(/\s+/).filter((word) => word.length > 0))];
}

/** The Chinese model: same shape, character vocabulary. */
function buildChinese() {
  return makeRandomTextCnn({
    vocabulary: [...new Set(CHARACTERS)],
    dim: 100,
    widths: [3, 4, 5],
    filters: 100,
    classes: ['negative', 'positive'],
    seed: 11,
    numSteps: 16,
    tokenizer: 'chinese',
    name: 'Random Chinese TextCNN (test only)',
  });
}

/** The English model, built from its options every time (cheap), so the files always match this source. */
function build() {
  return makeRandomTextCnn({
    vocabulary: vocabulary(),
    dim: 100,
    widths: [3, 4, 5],
    filters: 100,
    classes: ['negative', 'positive'],
    seed: 7,
    numSteps: 16,
    name: 'Random TextCNN (test only)',
  });
}

/** Writes a model folder unless the same config is already there. */
async function writeModel(dir: string, model: ReturnType<typeof makeRandomTextCnn>): Promise<void> {
  const { configText } = serializeModel(model.config, model.weights);
  const current = join(dir, 'model.json');
  if (existsSync(current) && existsSync(join(dir, 'weights.safetensors')) && readFileSync(current, 'utf8') === configText) return;
  await saveModelDir(dir, model.config, model.weights);
}

/** Writes the English and Chinese test models into the built site; returns the English one's folder. */
export async function ensureTestModel(): Promise<string> {
  if (!existsSync(join(SITE_DIR, 'index.html'))) {
    throw new Error(`${SITE_DIR}/index.html is missing: build the site first (npx vite build), then run the browser tests.`);
  }
  await writeModel(TEST_MODEL_DIR, build());
  await writeModel(join(SITE_DIR, TEST_MODEL_ZH_URL), buildChinese());
  return TEST_MODEL_DIR;
}
