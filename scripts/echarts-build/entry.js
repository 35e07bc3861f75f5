// The parts of Apache ECharts 5.3.1 that the hwnas report uses (report-core.js, report-views.js):
// scatter, line, bar and parallel series; title, tooltip, legend and grid (cartesian value, category
// and log axes); the canvas renderer. A chart type or component the report starts using goes here,
// then ./build.sh (ECharts drops what is not here without a word: ReportViewsBrowserTest checks that
// every chart of the page keeps every part it asked for).
import { use } from 'echarts/core';
import { BarChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([CanvasRenderer, ScatterChart, LineChart, BarChart, ParallelChart, GridComponent, LegendComponent,
  TitleComponent, TooltipComponent]);

export * from 'echarts/core';
